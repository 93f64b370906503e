"""Chapter 8 (linear layers and activations): the references against PyTorch, numerical
stability, the independence check of rrelu's slopes, the watched built-ins and the figures. The
generic tests (messages, seeds, other correct answers, the hints' sections) read the chapter's
table, tests/chapters/ch08_activations.py."""

import math
from functools import partial
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace
from glued import glued_values
from matplotlib.figure import Figure

from autograder.chapters import all_variants, mistakes_for
from autograder.chapters.ch08_activations import checks as checks
from autograder.chapters.ch08_activations import figures
from autograder.chapters.ch08_activations import reference as ref
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch08_activations"
EXERCISES = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "rrelu",
    "sigmoid_grad",
    "tanh_grad",
    "relu_grad",
    "leaky_relu_grad",
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
# rrelu's slopes and the watched built-ins


def test_per_sample_slopes_are_caught_by_the_independence_check():
    """One slope per row passes the bounds; on a wide input it fails as correlated neighbours."""
    source = next(m.source for m in MISTAKES if m.name == "rrelu_one_slope_per_sample")
    function = namespace(rrelu=source)["rrelu"]
    generator = torch.Generator().manual_seed(0)
    with checks.seeded(0), pytest.raises(CheckFailure, match="neighbouring elements along dim 1 get nearly the same"):
        checks.assert_training_slopes(function, 0.1, 0.4, (40, 500), torch.float32, generator)


def test_nn_linear_inside_linear_is_refused():
    """A module built inside the answer is caught like F.linear itself."""
    source = next(v.source for v in all_variants() if v.name == "linear_through_nn_linear")
    function = namespace(linear=source)["linear"]
    assert "called F.linear (which nn.Linear calls)" in failure("linear", function)


@pytest.mark.parametrize("exercise", ["sigmoid_grad", "tanh_grad", "relu_grad", "leaky_relu_grad"])
def test_a_derivative_need_not_be_differentiable(exercise):
    """The derivatives are values, whose text promises no gradient: a right formula computed on
    a detached input (relu_grad's comparison is not differentiable anyway) passes every check."""
    names = namespace()
    solution = names[exercise]

    def detached(x, *args, **kwargs):
        return solution(x.detach(), *args, **kwargs)

    assert failure(exercise, detached) is None


def test_watched_calls_are_restored_after_a_failed_check():
    """F.linear and autograd are the originals again after a check that refused them."""
    watched = {**checks.BUILTIN_LINEAR, **checks.AUTOGRAD}
    originals = {label: getattr(owner, name) for label, (owner, name) in watched.items()}
    assert failure("linear", lambda x, W, b=None: F.linear(x, W, b)) is not None
    autograd = next(m.source for m in MISTAKES if m.name == "sigmoid_grad_autograd")
    assert "called torch.autograd.grad" in failure("sigmoid_grad", namespace(sigmoid_grad=autograd)["sigmoid_grad"])
    for label, (owner, name) in watched.items():
        assert getattr(owner, name) is originals[label], label


@pytest.mark.parametrize(
    "exercise, source, phrase",
    [
        ("relu", "def relu(x):\n    return x.clamp(min=0)\n", "expected 0, got 1."),
        (
            "leaky_relu",
            "def leaky_relu(x, negative_slope=0.01):\n    return torch.maximum(x, negative_slope * x)\n",
            "expected 0.1, got 0.55.",
        ),
        (
            "rrelu",
            "def rrelu(x, lower=1/8, upper=1/3, training=False):\n"
            "    slope = torch.rand_like(x) * (upper - lower) + lower if training else (lower + upper) / 2\n"
            "    return torch.where(x >= 0, x, slope * x)\n",
            "expected 0.229167, got 1.",
        ),
    ],
)
def test_another_subgradient_at_the_kink_is_refused(exercise, source, phrase):
    """clamp(min=0) (gradient 1 at 0), torch.maximum (the average of both slopes) and x >= 0 have the
    right values but not PyTorch's gradient at x = 0, which the exercises state."""
    function = namespace(**{exercise: source})[exercise]
    message = failure(exercise, function)
    assert message is not None and "(the kink)" in message and phrase in message, message


def test_pytorch_takes_the_left_slope_at_the_kink():
    """The convention the exercises state, in the pinned PyTorch: the left slope at exactly 0, in
    evaluation and in training mode (rrelu: the element's own slope, in [lower, upper])."""
    zero = torch.zeros(200, dtype=torch.float64)
    assert torch.equal(ref.derivative(F.relu, zero), torch.zeros(200, dtype=torch.float64))
    assert torch.allclose(ref.derivative(lambda t: F.leaky_relu(t, 0.1), zero), torch.full_like(zero, 0.1))
    assert torch.allclose(ref.derivative(ref.rrelu, zero), torch.full_like(zero, 11 / 48))
    slopes = ref.derivative(lambda t: ref.rrelu(t, 0.1, 0.4, training=True), zero)
    assert ((slopes >= 0.1) & (slopes <= 0.4)).all() and slopes.std() > 0.05


def test_the_solution_rrelu_has_the_slope_at_zero():
    """Fault 7: the solution's rrelu took x >= 0, so its gradient at 0 was 1."""
    rrelu = namespace()["rrelu"]
    zero = torch.zeros(5, requires_grad=True)
    (grad,) = torch.autograd.grad(rrelu(zero).sum(), zero)
    assert torch.allclose(grad, torch.full((5,), 11 / 48))


# ---------------------------------------------------------------------------------------
# figures and built-ins in disguise


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


@pytest.mark.parametrize(
    "exercise, body",
    [
        ("sigmoid", "F.logsigmoid(x).exp()"),
        ("sigmoid", "torch.special.expit(x)"),
        ("sigmoid", "torch.exp(-F.softplus(-x))"),
        ("tanh", "2 * torch.sigmoid(2 * x) - 1"),
        ("relu", "F.threshold(x, 0.0, 0.0)"),
        ("relu_grad", "torch.sigmoid(x * 1e4).round()"),
    ],
)
def test_builtin_activations_in_disguise_are_refused(exercise, body):
    """A built-in activation reached another way is still the built-in."""
    source = f"import torch.nn.functional as F\n\ndef {exercise}(x):\n    return {body}\n"
    function = namespace(**{exercise: source})[exercise]
    assert "must be written from scratch, but it called PyTorch's built-in activation" in failure(exercise, function)


# ---------------------------------------------------------------------------------------
# the numbers of the chapter's prose (issue 16): each is glued from the executed output


BOOK = Path(__file__).resolve().parents[2] / "book" / f"{ASSIGNMENT}.md"


def test_every_computed_number_of_the_prose_is_glued():
    """The numbers the issue found typed by hand are glued now, and fault 4's bound says 'at most'."""
    text = BOOK.read_text()
    for typed in ("0.0066", "0.0099", "88.7", "709.8", "about 4.5 per layer", "a third of"):
        assert typed not in text, typed
    assert "*at most* $4^{-20}" in text and "can be as small as" not in text
    for name in ("ch08_sigmoid_grad_5", "ch08_tanh_grad_3", "ch08_sigmoid_shrink", "ch08_dead_large"):
        assert f"{{glue:text}}`{name}" in text, name


def test_the_exact_facts_of_the_prose():
    """4^-20 is about 1e-12; sigmoid' and tanh' as the prose rounds them; the float limits."""
    assert 0.5e-12 < 4.0**-20 < 1e-12
    assert round(ref.sigmoid_grad(torch.tensor([5.0], dtype=torch.float64)).item(), 4) == 0.0066
    assert round(ref.tanh_grad(torch.tensor([3.0], dtype=torch.float64)).item(), 4) == 0.0099
    assert f"{math.log(torch.finfo(torch.float32).max):.1f}" == "88.7"
    assert f"{math.log(torch.finfo(torch.float64).max):.1f}" == "709.8"
    assert f"{11 / 48:.3f}" == "0.229"


@pytest.mark.slow
def test_the_glued_numbers_are_what_the_pinned_pytorch_gives():
    """Run the chapter's cells: the experiments give the numbers the prose reads (PyTorch as pinned)."""
    values = glued_values(ASSIGNMENT)
    assert f"{values['ch08_sigmoid_grad_5']:.4f}" == "0.0066"
    assert f"{values['ch08_tanh_grad_3']:.4f}" == "0.0099"
    assert (values["ch08_dead_large"], values["ch08_dead_small"], values["ch08_dead_small_first"]) == (12, 1, 1)
    assert f"{values['ch08_sigmoid_shrink']:.1e}" == "4.7e+12"
    assert f"{values['ch08_sigmoid_per_layer']:.1f}" == "4.6"
    assert f"{values['ch08_relu_shrink']:.1f}" == "3.8"
    assert f"{values['ch08_sigmoid_mean_factor']:.3f}" == "0.233"
