"""Chapter 8 (linear layers and activations): references against PyTorch, messages of typical
mistakes, numerical stability, the random slopes of rrelu over many seeds, other correct
answers, the watched built-ins, the book sections the hints name, and the points table."""

import re
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import mistake_failure
from answers import namespace as notebook_namespace
from course import REPO
from matplotlib.figure import Figure

from autograder.chapters import mistakes_for
from autograder.chapters.ch08_activations import checks as checks
from autograder.chapters.ch08_activations import figures
from autograder.chapters.ch08_activations import reference as ref
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch08_activations"
EXERCISES = [
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu",
    "sigmoid_grad", "tanh_grad", "relu_grad", "leaky_relu_grad",
]
MISTAKES = [m for e in EXERCISES for m in mistakes_for(e)]
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


# ---------------------------------------------------------------------------------------
# the references


def test_references_match_pytorch_and_the_formulas():
    """Each reference is the built-in it names, and the derivatives are the chapter's formulas."""
    x = torch.linspace(-6, 6, 121, dtype=torch.float64)
    s, t = torch.sigmoid(x), torch.tanh(x)
    assert torch.allclose(ref.sigmoid_grad(x), s * (1 - s))
    assert torch.allclose(ref.tanh_grad(x), 1 - t**2)
    assert torch.equal(ref.relu_grad(x), (x > 0).double())
    assert torch.equal(ref.leaky_relu_grad(x, 0.2), torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.2)))
    assert torch.allclose(ref.tanh(x), 2 * torch.sigmoid(2 * x) - 1)
    X, W, b = torch.randn(2, 3, 5), torch.randn(4, 5), torch.randn(4)
    assert torch.allclose(ref.linear(X, W, b), X @ W.T + b, atol=1e-6)
    images = torch.randn(2, 3, 4, 5)
    a = torch.tensor([0.1, -0.5, 2.0])
    assert torch.equal(ref.prelu(images, a), torch.where(images > 0, images, a.reshape(3, 1, 1) * images))
    assert torch.equal(ref.prelu(images, torch.tensor(0.3)), F.leaky_relu(images, 0.3))
    assert torch.allclose(ref.rrelu(x), F.leaky_relu(x, (1 / 8 + 1 / 3) / 2))


def test_reference_derivative_is_at_the_kink_the_left_slope():
    """At x = 0, autograd (and so the course) takes 0 for relu and the slope for leaky_relu."""
    zero = torch.zeros(3)
    assert torch.equal(ref.relu_grad(zero), torch.zeros(3))
    assert torch.equal(ref.leaky_relu_grad(zero, 0.3), torch.full((3,), 0.3))


def test_reference_sigmoid_is_stable_where_the_naive_formula_is_not():
    """The chapter's point: torch.sigmoid has finite gradients at +-1000; 1 / (1 + exp(-x)) has not."""
    x = torch.tensor(checks.EXTREMES)
    assert torch.isfinite(ref.sigmoid_grad(x)).all()
    assert not torch.isfinite(ref.derivative(lambda t: 1 / (1 + torch.exp(-t)), x)).all()


# ---------------------------------------------------------------------------------------
# messages


MESSAGES = {
    "linear_W_not_transposed": "raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x3)",
    "linear_bias_required": "linear(x, W) with x of shape (2, 5), W of shape (3, 5) and no bias raised TypeError",
    "linear_only_2d": "with x of shape (2, 3, 4) (a leading batch of 2 x 3)",
    "linear_builtin": "called F.linear (which nn.Linear calls)",
    "sigmoid_exp_ratio": "is not numerically stable: its value at x = 100 is nan (expected 1)",
    "sigmoid_naive": "The gradient of sigmoid(x) on x = [-1000.0",
    "sigmoid_where_both_branches": "branch that torch.where discards",
    "sigmoid_builtin": "must be written from scratch, but it called PyTorch's built-in activation",
    "tanh_naive_exp": "is not numerically stable: its value at x = -1000 is nan (expected -1)",
    "tanh_plus_one": "First wrong value at index (0,): expected -0.964028, got 1.03597.",
    "relu_in_place": "changed its input in place",
    "relu_min_instead_of_max": "First wrong value at index (0,): expected 0, got -2.",
    "leaky_relu_slope_on_positives": "First wrong value at index (0,): expected -0.02, got -2.",
    "leaky_relu_ignores_slope": "leaky_relu(x, negative_slope=0.1) on x = [-2.0, -1.0, 0.0, 1.0, 2.0] is not right",
    "prelu_detached_slope": "with respect to a is not right",
    "prelu_4d_only": "Expected shape (1, 5), got shape (1, 1, 1, 5).",
    "rrelu_random_in_eval": "expected -0.458333",
    "rrelu_one_slope_per_call": "the slopes hardly vary",
    "rrelu_training_ignored": "the slopes hardly vary",
    "rrelu_unit_interval": "outside [lower, upper] = [0.125, 0.333333]",
    "rrelu_slope_on_positives": "on the positive inputs (they pass unchanged) is not right",
    "rrelu_reseeds": "called twice on the same input gave the same slopes for 100% of the elements",
    "sigmoid_grad_of_one_minus_x": "First wrong value at index (0,): expected 0.104994, got 0.11355.",
    "sigmoid_grad_naive": "sigmoid_grad(x) on the large inputs",
    "sigmoid_grad_autograd": "called torch.autograd.grad",
    "tanh_grad_one_minus_tanh": "First wrong value at index (0,): expected 0.0706508, got 1.96403.",
    "relu_grad_ones": "First wrong value at index (0,): expected 0, got 1.",
    "relu_grad_one_at_zero": "First wrong value at index (2,): expected 0, got 1.",
    "relu_grad_bool": "Expected dtype torch.float32 (the input's dtype), got torch.bool.",
    "leaky_relu_grad_one_at_zero": "First wrong value at index (2,): expected 0.01, got 1.",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_mistake_message_names_the_problem(name):
    """The first failing check of a typical mistake says plainly what is wrong."""
    message = mistake_failure(name)
    assert message is not None and MESSAGES[name] in message, message


def test_per_sample_slopes_are_caught_by_the_independence_check():
    """One slope per row passes the bounds; on a wide input it fails as correlated neighbours."""
    source = next(m.source for m in MISTAKES if m.name == "rrelu_one_slope_per_sample")
    function = namespace(rrelu=source)["rrelu"]
    generator = torch.Generator().manual_seed(0)
    with checks._seeded(0), pytest.raises(CheckFailure, match="neighbouring elements along dim 1 get nearly the same"):
        checks._assert_training_slopes(function, 0.1, 0.4, (40, 500), torch.float32, generator)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_every_mistake_fails_whatever_the_seed(mistake, seed, monkeypatch):
    """No wrong answer depends on a lucky draw of the hidden cases."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    function = namespace(**{mistake.exercise: mistake.source})[mistake.exercise]
    assert failure(mistake.exercise, function) is not None, mistake.summary


def test_hidden_failure_quotes_the_seed_and_the_inputs(monkeypatch):
    """A failed hidden check names its case, the grading seed and the inputs."""
    monkeypatch.setenv("AUTOGRADER_SEED", "4321")
    names = namespace()
    wrong = names["linear"]

    def linear_always_bias(x, W, b=None):
        return wrong(x, W, torch.zeros(W.shape[0], dtype=x.dtype) if b is None else b + 1e-3)

    with pytest.raises(CheckFailure, match=r"Hidden check 1 of 9 failed \(grading seed 4321\), on a batch \(N, in\): "
                       r"x \d+x\d+, W \d+x\d+ \(torch.float32\)"):
        checks.grade_linear(linear_always_bias)


# ---------------------------------------------------------------------------------------
# seeds and other correct answers


# rrelu's training-mode checks are statistical: they get the most seeds.
SEEDS = {exercise: 200 if exercise == "rrelu" else 50 for exercise in EXERCISES}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solution_passes_hidden_checks_for_many_seeds(exercise, monkeypatch):
    """The tolerances, the random shapes and rrelu's statistical tests never fail the solution
    (200 grading seeds for rrelu, each with its own random slopes; 50 for the others)."""
    function = namespace()[exercise]
    failed = []
    for seed in range(SEEDS[exercise]):
        monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
        try:
            getattr(checks, f"grade_{exercise}")(function)
        except CheckFailure as error:
            failed.append(f"seed {seed}: {error}")
    assert not failed, "\n".join(failed[:3])


OTHER_CORRECT_ANSWERS = {
    "linear": (
        "def linear(x, W, b=None):\n    y = torch.einsum('...i,oi->...o', x, W)\n    return y if b is None else y + b\n"
    ),
    "sigmoid": (
        "def sigmoid(x):\n    z = torch.exp(-x.abs())\n    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))\n"
    ),
    "tanh": (
        "def tanh(x):\n    z = torch.exp(-2 * x.abs())\n    return torch.sign(x) * (1 - z) / (1 + z)\n"
    ),
    "relu": "def relu(x):\n    return x.clamp(min=0)\n",
    "leaky_relu": "def leaky_relu(x, negative_slope=0.01):\n    return torch.maximum(x, negative_slope * x)\n",
    "prelu": (
        "def prelu(x, a):\n    shape = [1] * x.dim()\n    if a.numel() > 1:\n        shape[1] = -1\n"
        "    return relu(x) - a.reshape(shape if a.numel() > 1 else ()) * relu(-x)\n"
    ),
    "rrelu": (
        "def rrelu(x, lower=1/8, upper=1/3, training=False):\n    if not training:\n"
        "        return leaky_relu(x, (lower + upper) / 2)\n"
        "    slope = lower + (upper - lower) * torch.rand_like(x)\n    return torch.where(x < 0, x * slope, x)\n"
    ),
    "sigmoid_grad": "def sigmoid_grad(x):\n    return sigmoid(x) * sigmoid(-x)\n",
    "tanh_grad": "def tanh_grad(x):\n    return (1 - tanh(x)) * (1 + tanh(x))\n",
    "relu_grad": "def relu_grad(x):\n    return torch.heaviside(x, torch.zeros_like(x))\n",
    "leaky_relu_grad": (
        "def leaky_relu_grad(x, negative_slope=0.01):\n"
        "    return (x > 0).to(x.dtype) + negative_slope * (x <= 0).to(x.dtype)\n"
    ),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("exercise", sorted(OTHER_CORRECT_ANSWERS))
def test_other_correct_answers_pass(exercise, seed, monkeypatch):
    """Checks accept any correct answer, not only the instructor's."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    function = namespace(**{exercise: OTHER_CORRECT_ANSWERS[exercise]})[exercise]
    assert failure(exercise, function) is None


def test_handing_in_the_reference_earns_nothing():
    """The course's reference implementations are refused."""
    assert "called the course's own implementation (reference.sigmoid)" in failure("sigmoid", ref.sigmoid)


def test_nn_linear_inside_linear_is_refused():
    """A module built inside the answer is caught like F.linear itself."""
    source = '''
def linear(x, W, b=None):
    layer = nn.Linear(W.shape[1], W.shape[0], bias=b is not None)
    with torch.no_grad():
        layer.weight.copy_(W)
        if b is not None:
            layer.bias.copy_(b)
    return layer(x)
'''
    function = namespace(linear="import torch\nfrom torch import nn\n" + source)["linear"]
    assert "called F.linear (which nn.Linear calls)" in failure("linear", function)


def test_watched_calls_are_restored_after_a_failed_check():
    """F.linear and autograd are the originals again after a check that refused them."""
    watched = {**checks.BUILTIN_LINEAR, **checks.AUTOGRAD}
    originals = {label: getattr(owner, name) for label, (owner, name) in watched.items()}
    assert failure("linear", lambda x, W, b=None: F.linear(x, W, b)) is not None
    autograd = next(m.source for m in MISTAKES if m.name == "sigmoid_grad_autograd")
    assert "called torch.autograd.grad" in failure("sigmoid_grad", namespace(sigmoid_grad=autograd)["sigmoid_grad"])
    for label, (owner, name) in watched.items():
        assert getattr(owner, name) is originals[label], label


def test_gradients_of_the_activations_are_checked_away_from_the_kinks():
    """An answer with another subgradient at 0 (clamp: 1) still passes relu's checks."""
    names = namespace(relu="def relu(x):\n    return x.clamp(min=0)\n")
    x = torch.zeros(3, requires_grad=True)
    assert torch.autograd.grad(names["relu"](x).sum(), x)[0].tolist() == [1.0, 1.0, 1.0]
    assert failure("relu", names["relu"]) is None


# ---------------------------------------------------------------------------------------
# the notebook and the book


def _slug(title: str) -> str:
    """The anchor MyST gives a heading (text lowercase, spaces to hyphens, punctuation dropped)."""
    title = re.sub(r"\$[^$]*\$|[`*_]", "", title)
    return re.sub(r"[^\w\- ]", "", title.lower().replace(" ", "-"))


def test_every_hint_points_to_a_heading_of_the_chapter():
    """Each mistake's section is a heading (level 1 to 3) of book/ch08_activations.md."""
    text = (REPO / "book" / f"{ASSIGNMENT}.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    anchors = {_slug(title) for title in re.findall(r"^#{1,3} (.+)$", text, flags=re.MULTILINE)}
    for mistake in MISTAKES:
        page, _, anchor = mistake.section.partition("#")
        assert page == ASSIGNMENT and anchor in anchors, f"{mistake.name}: {mistake.section}"


def test_figures_draw_from_small_inputs():
    """Each figure routine returns a matplotlib Figure (the book shows them at build time)."""
    x = torch.linspace(-2, 2, 9)
    panel = {"name": "relu", "x": x, "y": ref.relu(x), "dy": ref.relu_grad(x)}
    noisy = {**panel, "samples": (x, ref.rrelu(x, training=True), torch.ones(9)), "label": "e", "sample_label": "t"}
    drawn = [
        figures.linear_layer(torch.ones(1, 3), torch.ones(4, 3), torch.zeros(4), torch.full((1, 4), 3.0)),
        figures.functions_and_derivatives([panel, noisy, panel]),
        figures.prelu_training(range(3), [0.25, 0.0, -1.0], x, x.abs(), x.abs(), x),
        figures.gradients_by_depth({"a": [1.0, 0.1]}, {"a": torch.rand(10)}),
        figures.dead_units(range(3), {"a": [0, 1, 1]}, torch.tensor([0.5, 0.0]), width=2),
    ]
    assert all(isinstance(figure, Figure) for figure in drawn)


@pytest.mark.parametrize("exercise, body", [
    ("sigmoid", "F.logsigmoid(x).exp()"),
    ("sigmoid", "torch.special.expit(x)"),
    ("sigmoid", "torch.exp(-F.softplus(-x))"),
    ("tanh", "2 * torch.sigmoid(2 * x) - 1"),
    ("relu", "F.threshold(x, 0.0, 0.0)"),
    ("relu_grad", "torch.sigmoid(x * 1e4).round()"),
])
def test_builtin_activations_in_disguise_are_refused(exercise, body):
    """A built-in activation reached another way is still the built-in."""
    function = namespace(**{exercise: f"import torch.nn.functional as F\n\ndef {exercise}(x):\n    return {body}\n"})[exercise]
    assert "must be written from scratch, but it called PyTorch's built-in activation" in failure(exercise, function)
