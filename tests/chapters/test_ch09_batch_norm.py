"""Chapter 9 (batch normalization): the references against PyTorch, the chapter's worked numbers,
the diagnoses of a layer on a wrong batch_norm, the visible checks' defaults. The generic tests
(messages, seeds, other correct answers, the course's references handed in, the hints' sections)
read the chapter's table, tests/chapters/ch09_batch_norm.py."""

from functools import partial
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace
from glued import glued_values
from torch import nn

from autograder.chapters import mistakes_for
from autograder.chapters.ch09_batch_norm import checks as checks
from autograder.chapters.ch09_batch_norm import reference as ref
from autograder.runtime.compare import CheckFailure
from autograder.runtime.diagnosis import recognised_mistakes

ASSIGNMENT = "ch09_batch_norm"
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
    _, new_mean, _ = ref.batch_norm(checks.example_X2(), torch.ones(2), torch.zeros(2), mean, var, True)
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
    Y, running_mean, running_var = ref.batch_norm(
        X, gamma.double(), beta.double(), torch.zeros(2).double(), torch.ones(2).double(), True
    )
    torch.testing.assert_close(
        Y, torch.tensor([[-1, -0.5], [-1, -1.5], [3, -0.5], [3, -1.5]], dtype=torch.float64), atol=1e-5, rtol=0
    )
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

# A wrong batch_norm and the layer's known mistake that makes the same error (the solution's
# BatchNorm2d builds on the notebook's own batch_norm).
LAYER_TWINS = {
    "batch_norm_momentum_reversed": "BatchNorm2d_momentum_reversed",
    "batch_norm_eval_batch_stats": "BatchNorm2d_ignores_mode",
    "batch_norm_per_image": "BatchNorm2d_per_image",
}


@pytest.mark.parametrize("name", sorted(LAYER_TWINS))
def test_a_layer_on_a_wrong_batch_norm_gets_one_explanation(name, monkeypatch):
    """A right BatchNorm2d that calls a wrong batch_norm is sent to batch_norm by its visible check,
    and its hidden check names the layer's twin of that mistake as its one explanation, not every
    layer mistake that calls the same function."""
    monkeypatch.setenv("AUTOGRADER_SEED", "3")
    source = next(m.source for m in mistakes_for("batch_norm") if m.name == name)
    layer = namespace(batch_norm=source)["BatchNorm2d"]
    visible = failure("BatchNorm2d", layer, kinds=(0,))
    assert "Your BatchNorm2d calls your batch_norm, which fails its own visible check" in visible, visible
    message = failure("BatchNorm2d", layer, kinds=(1,))
    assert [m.name for m in recognised_mistakes(message, mistakes_for("BatchNorm2d"))] == [LAYER_TWINS[name]], message


def test_updating_the_running_estimates_in_place_fails_visibly():
    """batch_norm returns its new running estimates: an answer that also writes them into the
    tensors it was given (right values otherwise) fails the visible check, which says so."""
    solution = namespace()["batch_norm"]

    def in_place(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
        Y, new_mean, new_var = solution(X, gamma, beta, running_mean, running_var, training, momentum, eps)
        running_mean.copy_(new_mean)
        running_var.copy_(new_var)
        return Y, running_mean, running_var

    message = failure("batch_norm", in_place, kinds=(0,))
    assert "training=True) on the chapter's non-square 4-D X of shape (2, 2, 1, 2) changed its input running_mean" in (
        message
    ), message


def test_running_estimates_left_in_the_graph_fail_visibly():
    """The visible checks' X requires gradients, as in a network: running estimates computed
    outside torch.no_grad() show there, not only in the hidden check."""
    source = next(m.source for m in mistakes_for("batch_norm") if m.name == "batch_norm_running_with_graph")
    message = failure("batch_norm", namespace(batch_norm=source)["batch_norm"], kinds=(0,))
    assert "requires gradients: it is still attached to the autograd graph" in message, message


def test_visible_checks_use_the_defaults():
    """The visible checks call batch_norm without momentum and eps: wrong defaults fail there."""
    solution = namespace()["batch_norm"]

    def wrong_default(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
        return solution(X, gamma, beta, running_mean, running_var, training, momentum, eps)

    with pytest.raises(CheckFailure, match="running_mean returned by batch_norm"):
        checks.check_batch_norm(wrong_default)


# --- layer normalization (issue 16) ---------------------------------------------------------


@pytest.mark.parametrize(
    "shape, normalized_shape",
    [((2, 2, 3), 3), ((2, 2, 3), (2, 3)), ((4, 3, 5, 2), (3, 5, 2)), ((4, 3, 5, 2), (5, 2)), ((7,), 7)],
)
def test_layer_norm_reference_is_the_per_sample_formula(shape, normalized_shape):
    """ref.layer_norm normalizes each sample over its trailing dims with the biased variance, as F.layer_norm."""
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64) * 3 + 1
    dims = ref.normalized_shape_tuple(normalized_shape)
    w, b = torch.randn(dims, dtype=torch.float64), torch.randn(dims, dtype=torch.float64)
    axes = tuple(range(-len(dims), 0))
    mean, var = x.mean(dim=axes, keepdim=True), x.var(dim=axes, keepdim=True, correction=0)
    assert torch.allclose(ref.layer_norm(x, normalized_shape, w, b), (x - mean) / torch.sqrt(var + 1e-5) * w + b)
    assert torch.allclose(ref.layer_norm(x, normalized_shape), F.layer_norm(x, dims))


def test_layer_norm_example_of_the_exercise():
    """The exercise's text: the first row [0, 1, 2] of the example becomes about [-1.2247, 0, 1.2247]."""
    y = ref.layer_norm(checks.example_ln(), 3)
    assert [round(v, 4) for v in y[0, 0].tolist()] == [-1.2247, 0.0, 1.2247]


def test_group_norm_extremes_are_layer_and_instance_norm():
    """The section's equivalences: GroupNorm(1, C) is LayerNorm((C, H, W)), GroupNorm(C, C) InstanceNorm2d(C)."""
    x = torch.randn(3, 6, 4, 5)
    with torch.no_grad():
        assert torch.allclose(nn.GroupNorm(1, 6)(x), F.layer_norm(x, (6, 4, 5)), atol=1e-5)
        assert torch.allclose(nn.GroupNorm(6, 6)(x), nn.InstanceNorm2d(6)(x), atol=1e-5)
    assert not list(nn.LayerNorm(6).buffers()) and not list(nn.GroupNorm(3, 6).buffers())
    assert not list(nn.InstanceNorm2d(6).buffers())


def test_normalization_cube_figure_draws():
    from matplotlib.figure import Figure

    from autograder.chapters.ch09_batch_norm import figures

    assert isinstance(figures.normalization_axes(N=3, C=4, HW=2, group=2), Figure)


# --- the numbers of the chapter's prose (issue 16): glued from the executed output ---------

BOOK = Path(__file__).resolve().parents[2] / "book" / f"{ASSIGNMENT}.md"


def test_the_accuracies_of_the_summary_are_glued():
    """Fault 6: the summary typed 96 % and 99 % by hand; they are glued from the run now."""
    text = BOOK.read_text()
    assert "96 %" not in text and "99 %" not in text
    for name in ("ch09_acc_bn", "ch09_acc_reestimated", "ch09_acc_plain", "ch09_x_hat_eps", "ch09_bn_train_eval_gap"):
        assert f"{{glue:text}}`{name}" in text, name


def test_the_exact_facts_of_the_prose():
    """The momentum section's thresholds and the example's numbers, as the prose states them."""
    assert 0.9**22 < 0.1 <= 0.9**21 and 0.9**44 < 0.01 <= 0.9**43
    assert round(0.9**20, 2) == 0.12
    assert f"{0.9 + 0.1 * 16 / 3:.4f}" == "1.4333" and abs(0.9 + 0.1 * 12 - 2.1) < 1e-12
    assert f"{2 / (4 + 1e-5) ** 0.5:.8f}" == "0.99999875"


@pytest.mark.slow
def test_the_glued_numbers_are_what_the_pinned_pytorch_gives():
    """Run the chapter's cells: the digits experiment gives 95.1 % and 98.0 % with the pinned PyTorch."""
    values = glued_values(ASSIGNMENT)
    assert f"{values['ch09_acc_bn']:.1%}" == "95.1%"
    assert f"{values['ch09_acc_reestimated']:.1%}" == "98.0%"
    assert values["ch09_acc_plain"] < 0.15
    assert f"{values['ch09_x_hat_eps']:.8f}" == "0.99999875"
    assert values["ch09_bn_train_eval_gap"] > 1
