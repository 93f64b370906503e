"""Chapter 9 (batch normalization): the references against PyTorch, the chapter's worked numbers,
messages and diagnoses of typical mistakes, other correct answers, seeds, the mistakes' book
sections and the notebook's points table."""

import re
from functools import partial

import pytest
import torch
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import mistake_failure
from answers import namespace as notebook_namespace
from course import REPO
from torch import nn

from autograder.chapters import mistakes_for
from autograder.chapters.ch09_batch_norm import checks as checks
from autograder.chapters.ch09_batch_norm import reference as ref
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch09_batch_norm"
CHAPTER = (REPO / "book" / f"{ASSIGNMENT}.md").read_text(encoding="utf-8")
EXERCISES = ["batch_norm", "BatchNorm2d"]
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


# --- the references and the chapter's numbers ---------------------------------------------


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5, 2), (1, 3, 2, 4)])
def test_reference_follows_pytorch_over_training_and_eval_steps(shape):
    """ref.batch_norm, chained over training then eval steps, gives nn.BatchNorm1d/2d's outputs and buffers."""
    torch.manual_seed(0)
    C = shape[1]
    layer = (nn.BatchNorm1d if len(shape) == 2 else nn.BatchNorm2d)(C, momentum=0.3, eps=1e-3).double()
    with torch.no_grad():
        layer.weight.copy_(torch.rand(C) + 0.5)
        layer.bias.copy_(torch.randn(C))
    mean, var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
    for training in (True, True, True, False, False):
        X = 3 * torch.randn(*shape, dtype=torch.float64) + 1
        layer.train(training)
        Y, mean, var = ref.batch_norm(X, layer.weight, layer.bias, mean, var, training, 0.3, 1e-3)
        torch.testing.assert_close(Y, layer(X))
        torch.testing.assert_close(mean, layer.running_mean)
        torch.testing.assert_close(var, layer.running_var)


def test_reference_leaves_its_arguments_alone():
    """F.batch_norm updates in place; the reference works on copies and returns the new estimates."""
    mean, var = torch.zeros(2), torch.ones(2)
    _, new_mean, new_var = ref.batch_norm(checks.example_X2(), torch.ones(2), torch.zeros(2), mean, var, True)
    assert mean.tolist() == [0.0, 0.0] and var.tolist() == [1.0, 1.0]
    assert new_mean.tolist() == pytest.approx([0.2, 0.4])


def test_batch_stats_are_per_channel_biased_and_unbiased():
    """batch_stats: the mean, the variance divided by n and by n - 1, n = N * H * W."""
    X = torch.randn(3, 4, 5, 2, dtype=torch.float64)
    mean, biased, unbiased = ref.batch_stats(X)
    flat = X.transpose(0, 1).reshape(4, -1)
    torch.testing.assert_close(mean, flat.mean(dim=1))
    torch.testing.assert_close(biased, flat.var(dim=1, correction=0))
    torch.testing.assert_close(unbiased, biased * 30 / 29)


def test_the_chapters_worked_example():
    """The (4, 2) example: means (2, 4), variances 4 and 9, outputs about -1/3 and -0.5/-1.5,
    running_mean (0.2, 0.4), running_var (1.4333, 2.1); the 4-D layout has the same statistics."""
    X, gamma, beta = checks.example_X2(torch.float64), torch.tensor([2.0, 0.5]), torch.tensor([1.0, -1.0])
    mean, biased, unbiased = ref.batch_stats(X)
    assert mean.tolist() == [2.0, 4.0] and biased.tolist() == [4.0, 9.0]
    assert unbiased.tolist() == pytest.approx([16 / 3, 12.0])
    Y, running_mean, running_var = ref.batch_norm(X, gamma.double(), beta.double(), torch.zeros(2).double(),
                                                  torch.ones(2).double(), True)
    torch.testing.assert_close(Y, torch.tensor([[-1, -0.5], [-1, -1.5], [3, -0.5], [3, -1.5]], dtype=torch.float64),
                               atol=1e-5, rtol=0)
    assert running_mean.tolist() == pytest.approx([0.2, 0.4])
    assert running_var.tolist() == pytest.approx([0.9 + 0.1 * 16 / 3, 2.1])
    X4 = checks.example_X4(torch.float64)
    for got, want in zip(ref.batch_stats(X4), (mean, biased, unbiased)):
        torch.testing.assert_close(got, want)
    # per pixel the 4-D example differs: the first pixel of channel 0 is 0 in both images
    assert X4[:, 0].var(dim=0, correction=0).tolist() == [[0.0, 0.0]]
    layer = nn.BatchNorm2d(2).double()
    layer(X4)
    layer(X4)
    assert layer.running_mean.tolist() == pytest.approx([0.38, 0.76])  # as the notebook says
    assert int(layer.num_batches_tracked) == 2


def test_momentum_edge_cases_of_the_reference():
    """momentum 0 keeps the estimates, momentum 1 replaces them by the batch's statistics."""
    X = torch.randn(5, 3, 2, 4, dtype=torch.float64)
    mean, var = torch.randn(3, dtype=torch.float64), torch.rand(3, dtype=torch.float64) + 1
    gamma, beta = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    _, kept_mean, kept_var = ref.batch_norm(X, gamma, beta, mean, var, True, momentum=0.0)
    assert torch.equal(kept_mean, mean) and torch.equal(kept_var, var)
    _, new_mean, new_var = ref.batch_norm(X, gamma, beta, mean, var, True, momentum=1.0)
    batch_mean, _, unbiased = ref.batch_stats(X)
    torch.testing.assert_close(new_mean, batch_mean)
    torch.testing.assert_close(new_var, unbiased)


# --- messages and diagnoses ---------------------------------------------------------------

MESSAGES = {
    "batch_norm_batch_axis_only": "statistics taken over the batch axis only, one mean and variance per pixel",
    "batch_norm_wrong_axes": "statistics taken over the channel axis 1, per sample",
    "batch_norm_biased_running_var": "PyTorch stores the unbiased one, divided by n - 1",
    "batch_norm_unbiased_output": "matches a normalization by the unbiased variance (divided by n - 1)",
    "batch_norm_bessel_with_N": "The variance was corrected with N / (N - 1) = 2 / 1; each channel has n = N * H * W = 4",
    "batch_norm_momentum_reversed": "The update gives the weight momentum to the old estimate.",
    "batch_norm_eval_batch_stats": "In eval mode the output must use the running estimates",
    "batch_norm_updates_in_eval": "In eval mode the running estimates must not change",
    "batch_norm_gamma_beta_swapped": "matches gamma and beta swapped",
    "batch_norm_eps_outside_sqrt": "The output matches a division by sqrt(var) + eps.",
    "batch_norm_detached_stats": "the gradient flows through them: do not detach them",
    "batch_norm_running_with_graph": "requires gradients: it is still attached to the autograd graph",
    "batch_norm_builtin": "must be written from scratch, but it called PyTorch's built-in batch_norm",
    "BatchNorm2d_plain_tensors": "are plain tensors: register them with self.register_buffer(name, tensor)",
    "BatchNorm2d_no_counter": "should have the buffers running_mean, running_var, num_batches_tracked; its named_buffers() "
    "are: running_mean, running_var.",
    "BatchNorm2d_ignores_mode": "In eval mode the output must use the running estimates",
    "BatchNorm2d_momentum_none_default": "With momentum=None the running estimates are the plain average",
    "BatchNorm2d_cumulative_off_by_one": "With momentum=None the running estimates are the plain average",
    "BatchNorm2d_affine_ignored": "should have no parameters; its named_parameters() are: weight, bias.",
    "BatchNorm2d_tracking_ignored": "should have no buffers; its named_buffers() are: running_mean, running_var, "
    "num_batches_tracked.",
    "BatchNorm2d_random_weight": "BatchNorm2d(2).weight (gamma, one per channel, starting at 1) is not right.",
    "BatchNorm2d_counts_eval": "num_batches_tracked after a step in eval mode on the chapter's X",
    "BatchNorm2d_builtin": "is PyTorch's own batch norm",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_mistake_message_names_the_problem(name, monkeypatch):
    """The first failing check of a typical mistake says plainly what is wrong."""
    monkeypatch.setenv("AUTOGRADER_SEED", "3")
    message = mistake_failure(name)
    assert message is not None and MESSAGES[name] in message, message


def test_every_mistake_has_a_message_test():
    """Every known wrong answer of the chapter has its expected message above."""
    assert {m.name for e in EXERCISES for m in mistakes_for(e)} == set(MESSAGES)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("mistake", [m for e in EXERCISES for m in mistakes_for(e)], ids=lambda m: m.name)
def test_every_mistake_fails_whatever_the_seed(mistake, seed, monkeypatch):
    """No wrong answer depends on a lucky draw of the hidden cases."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    function = namespace(**{mistake.exercise: mistake.source})[mistake.exercise]
    assert failure(mistake.exercise, function, diagnose=False) is not None, mistake.summary


def test_advice_stays_silent_on_right_values():
    """A diagnosis is only offered for a wrong value: the right output and estimates match no mistake."""
    torch.manual_seed(1)
    X = torch.randn(4, 3, 2, 5, dtype=torch.float64)
    gamma, beta = torch.rand(3, dtype=torch.float64) + 0.5, torch.randn(3, dtype=torch.float64)
    mean, var = torch.randn(3, dtype=torch.float64), torch.rand(3, dtype=torch.float64) + 0.5
    for training in (True, False):
        expected = ref.batch_norm(X, gamma, beta, mean, var, training, 0.1, 1e-5)
        for kind, value in zip(("Y", "running_mean", "running_var"), expected):
            assert checks.advice(kind, value, X, gamma, beta, mean, var, training, 0.1, 1e-5) == ""


def test_hidden_failure_quotes_the_seed_and_the_inputs(monkeypatch):
    """A failed hidden check names its case, the grading seed and the shapes."""
    monkeypatch.setenv("AUTOGRADER_SEED", "4321")
    source = next(m.source for m in mistakes_for("batch_norm") if m.name == "batch_norm_eps_outside_sqrt")
    function = namespace(batch_norm=source)["batch_norm"]
    with pytest.raises(CheckFailure, match=r"Hidden check \d of \d failed \(grading seed 4321\), on \(N, C"):
        checks.grade_batch_norm(function)


# --- other correct answers ------------------------------------------------------------------

OTHER_BATCH_NORMS = {
    "var_mean, in-place updates of the estimates": '''
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    dims = tuple(d for d in range(X.dim()) if d != 1)
    view = (1, -1) + (1,) * (X.dim() - 2)
    if training:
        var, mean = torch.var_mean(X, dim=dims, correction=0)
        n = X.numel() / X.shape[1]
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * n / (n - 1) * var)
    else:
        mean, var = running_mean, running_var
    Y = (X - mean.view(view)) * torch.rsqrt(var.view(view) + eps) * gamma.view(view) + beta.view(view)
    return Y, running_mean, running_var
''',
    "unbiased torch.var for the estimate, detached": '''
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if X.dim() == 2:
        X4 = X[:, :, None, None]
    else:
        X4 = X
    if training:
        mean = X4.mean(dim=(0, 2, 3), keepdim=True)
        var = X4.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
        new_mean = (1 - momentum) * running_mean + momentum * mean.flatten().detach()
        new_var = (1 - momentum) * running_var + momentum * X4.var(dim=(0, 2, 3)).detach()
    else:
        mean, var = running_mean.reshape(1, -1, 1, 1), running_var.reshape(1, -1, 1, 1)
        new_mean, new_var = running_mean, running_var
    Y = gamma.reshape(1, -1, 1, 1) * (X4 - mean) / (var + eps).sqrt() + beta.reshape(1, -1, 1, 1)
    return Y.reshape(X.shape), new_mean, new_var
''',
    "one-pass variance E[x^2] - E[x]^2": '''
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    dims = [0] if X.dim() == 2 else [0, 2, 3]
    shape = [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean = X.mean(dim=dims)
        var = (X * X).mean(dim=dims) - mean * mean
        n = X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = running_mean + momentum * (mean - running_mean)
            running_var = running_var + momentum * (var * n / (n - 1) - running_var)
    else:
        mean, var = running_mean, running_var
    return (gamma.reshape(shape) * (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
            + beta.reshape(shape)), running_mean, running_var
''',
}

OTHER_MODULES = {
    "without the function, copy_ into the buffers": '''
class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x):
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            mean = x.mean(dim=(0, 2, 3))
            var = x.var(dim=(0, 2, 3), unbiased=False)
            if self.training and self.track_running_stats:
                self.num_batches_tracked.add_(1)
                factor = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - factor) * self.running_mean + factor * mean)
                    self.running_var.copy_((1 - factor) * self.running_var + factor * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.affine:
            y = y * self.weight[None, :, None, None] + self.bias[None, :, None, None]
        return y
''',
}


@pytest.mark.parametrize("source", OTHER_BATCH_NORMS.values(), ids=OTHER_BATCH_NORMS)
def test_other_correct_batch_norms_pass(source, monkeypatch):
    """Checks accept any correct answer, including one that updates the estimates in place."""
    for seed in range(5):
        monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
        assert failure("batch_norm", namespace(batch_norm=source)["batch_norm"]) is None


@pytest.mark.parametrize("source", OTHER_MODULES.values(), ids=OTHER_MODULES)
def test_other_correct_modules_pass(source, monkeypatch):
    """A module written without batch_norm, with None parameters and buffers as PyTorch registers them."""
    for seed in range(5):
        monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
        assert failure("BatchNorm2d", namespace(BatchNorm2d=source)["BatchNorm2d"]) is None


@pytest.mark.parametrize("seed", range(25))
def test_solution_passes_hidden_checks_for_many_seeds(seed, monkeypatch):
    """The tolerances and the random shapes never fail the instructor's solution."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    names = namespace()
    for exercise in EXERCISES:
        getattr(checks, f"grade_{exercise}")(names[exercise])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(25, 201))
def test_solution_passes_hidden_checks_for_200_seeds(seed, monkeypatch):
    """The same over seeds 25 to 200 (slow)."""
    test_solution_passes_hidden_checks_for_many_seeds(seed, monkeypatch)


def test_handing_in_the_reference_earns_nothing():
    """The reference function calls F.batch_norm and lives in autograder.reference: both are refused."""
    message = failure("batch_norm", ref.batch_norm)
    assert "called the course's own implementation (reference.batch_norm)" in message


def test_visible_checks_use_the_defaults():
    """The visible checks call batch_norm without momentum and eps: wrong defaults fail there."""
    solution = namespace()["batch_norm"]

    def wrong_default(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
        return solution(X, gamma, beta, running_mean, running_var, training, momentum, eps)

    with pytest.raises(CheckFailure, match="running_mean returned by batch_norm"):
        checks.check_batch_norm(wrong_default)


# --- the notebook and the chapter ---------------------------------------------------------


def slug(heading: str) -> str:
    """MyST's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", text)


def test_mistakes_link_to_headings_of_the_chapter():
    """Every mistake's section is a level 1-3 heading of the chapter's page."""
    anchors = {slug(h) for h in re.findall(r"^#{1,3} (.+)$", CHAPTER, re.MULTILINE)}
    for exercise in EXERCISES:
        for mistake in mistakes_for(exercise):
            if mistake.section:
                page, anchor = mistake.section.split("#")
                assert page == ASSIGNMENT and anchor in anchors, (mistake.name, anchor)
