"""Chapter 3 (a convolutional layer that learns): the convergence argument behind the checks of
learn_kernel, the structure of Conv2D, the hidden cases. The generic tests (messages, seeds,
other correct answers) read the chapter's table, tests/chapters/ch03_conv_layer.py."""

import math
import time
from functools import partial

import answers
import nbformat
import pytest
import torch
from answers import failure, named, with_mistake
from course import REPO
from torch import nn

from autograder.chapters.ch02_cross_correlation import reference as correlation
from autograder.chapters.ch03_conv_layer import checks as checks
from autograder.chapters.ch03_conv_layer import hidden as hidden
from autograder.chapters.ch03_conv_layer import reference as ref
from autograder.runtime.cases import Cases
from autograder.runtime.compare import mismatch

ASSIGNMENT = "ch03_conv_layer"
EDGE = torch.tensor([[1.0, -1.0]])


solved_namespace = partial(answers.solved_namespace, ASSIGNMENT)


# --- why learn_kernel converges: the argument behind its checks ---------------------------


def test_stripe_data_hessian_and_the_proven_bound():
    """On the stripe data the Hessian 2 A^T A has eigenvalues 12, 19.7 and 124.3, so 100 steps of
    size 0.01 shrink any initial error by ||(I - 0.01 H)^100||_2 = 2.8e-6: from every start with
    entries in [-6, 6] the learned kernel is within 1e-4 of [[1, -1]]."""
    X, _ = ref.make_stripe_data()
    eigenvalues = torch.linalg.eigvalsh(ref.hessian(X, (1, 2)))
    assert eigenvalues.tolist() == pytest.approx([12.0, 19.6932, 124.3068], abs=1e-4)
    factor = ref.contraction(X, (1, 2), 0.01, 100)
    assert factor == pytest.approx(2.807e-6, rel=1e-3)
    assert factor == pytest.approx(max(abs(1 - 0.01 * e) for e in eigenvalues.tolist()) ** 100)
    distance = hidden.worst_distance(EDGE, torch.zeros(1))  # 6 * sqrt(3) + |(1, -1, 0)|
    assert distance == pytest.approx(6 * math.sqrt(3) + math.sqrt(2))
    assert factor * distance < 1e-4 < hidden.TOLERANCE < checks.VISIBLE_TOLERANCE
    # The hidden check's slow variant (small lr, many steps) is covered by the same argument,
    # and 100 steps of that size are far from enough (ignoring `steps` is caught).
    slow = ref.contraction(X, (1, 2), hidden.SLOW_LR, hidden.SLOW_STEPS)
    assert slow * distance < 1e-6
    assert (1 - hidden.SLOW_LR * float(eigenvalues[0])) ** 100 > 0.25


def test_contraction_is_the_norm_of_the_iteration_matrix():
    """contraction() equals ||(I - lr H)^steps||_2 computed directly, and H is the Hessian of the loss."""
    X = torch.randn(5, 7, dtype=torch.float64)
    H = ref.hessian(X, (2, 3))
    theta = torch.randn(7, dtype=torch.float64, requires_grad=True)
    Y = torch.randn(4, 5, dtype=torch.float64)

    def loss(theta):
        return ((correlation.corr2d(X, theta[:6].reshape(2, 3)) + theta[6] - Y) ** 2).sum()

    assert torch.allclose(torch.autograd.functional.hessian(loss, theta), H)
    M = torch.linalg.matrix_power(torch.eye(7, dtype=torch.float64) - 0.004 * H, 25)
    assert ref.contraction(X, (2, 3), 0.004, 25) == pytest.approx(float(torch.linalg.matrix_norm(M, 2)), rel=1e-8)


def test_random_targets_come_with_a_proof():
    """For 300 grading seeds, each hidden random target's lr and steps provably reach the
    tolerance from any start in [-6, 6]; 0.01 would diverge on it; it needs at most MAX_STEPS
    steps; H != W, kh != kw and the kernel is not the default (1, 2)."""
    for seed in range(300):
        cases = Cases(seed)
        kernel_size = cases.rng.choice(hidden.RANDOM_KERNELS)
        X, Y, K, b, lr, steps = hidden.random_target(cases, kernel_size)
        assert X.dtype == Y.dtype == K.dtype == torch.float64 and X.shape[0] != X.shape[1], seed
        assert kernel_size[0] != kernel_size[1] and kernel_size != (1, 2)
        assert torch.allclose(correlation.corr2d(X, K) + b, Y), seed
        bound = ref.contraction(X, kernel_size, lr, steps) * hidden.worst_distance(K, b)
        assert bound <= hidden.TOLERANCE, (seed, bound)
        assert 1 <= steps <= hidden.MAX_STEPS, seed
        largest = float(torch.linalg.eigvalsh(ref.hessian(X, kernel_size))[-1])
        assert abs(1 - 0.01 * largest) >= 1.5, seed  # lr = 0.01 multiplies some error by >= 1.5 a step


def test_solution_learns_the_edge_kernel_from_every_seed():
    """Empirically: the solution's learn_kernel on the stripe data, after 200 different seeds,
    never misses [[1, -1]] by more than the proven 1e-4 (0 failures, a few seconds)."""
    learn_kernel = solved_namespace()["learn_kernel"]
    X, Y = ref.make_stripe_data()
    errors = []
    for seed in range(200):
        torch.manual_seed(seed)
        errors.append(float((learn_kernel(X, Y) - EDGE).abs().max()))
    assert max(errors) < 1e-4, f"{sum(e >= 1e-4 for e in errors)} of 200 seeds failed"


def test_hidden_checks_stay_fast_with_a_loop_corr2d(monkeypatch):
    """With a pixel-loop corr2d in Conv2D (slow but right), the hidden check passes within seconds
    of CPU time (not wall time, which a busy machine stretches)."""
    monkeypatch.setenv("AUTOGRADER_SEED", "7")
    namespace = solved_namespace()
    namespace["corr2d"] = answers.solved_namespace("ch02_cross_correlation")["corr2d"]  # a pixel loop
    start = time.process_time()
    hidden.grade_learn_kernel(namespace["learn_kernel"])
    assert time.process_time() - start < 20


def test_learn_kernel_checks_leave_the_random_state_alone():
    """The checks seed torch inside a fork: the notebook's own random numbers are not reset."""
    learn_kernel = solved_namespace()["learn_kernel"]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    checks.check_learn_kernel(learn_kernel)
    assert torch.equal(torch.rand(3), expected)


def test_a_failed_hidden_learn_kernel_case_can_be_replayed(monkeypatch):
    """The same grading seed gives the same message, and the quoted torch seed reproduces the result."""
    monkeypatch.setenv("AUTOGRADER_SEED", "1234")
    namespace = with_mistake(named("learn_kernel_fixed_steps"))
    messages = {failure("learn_kernel", namespace, kinds=(1,)) for _ in range(2)}
    assert len(messages) == 1
    message = messages.pop()
    assert message.startswith("Hidden check 2 of 4 failed (grading seed 1234), on the stripe data (torch.float64).")
    seed = int(message.split("torch.manual_seed(")[1].split(")")[0])
    X, Y = (t.double() for t in ref.make_stripe_data())
    torch.manual_seed(seed)
    replayed = namespace["learn_kernel"](X, Y, kernel_size=(1, 2), steps=hidden.SLOW_STEPS, lr=hidden.SLOW_LR)
    assert mismatch(replayed, EDGE.double(), rtol=0.0, atol=hidden.TOLERANCE) in message


# --- Conv2D and receptive_field: messages --------------------------------------------------


def test_blank_conv2d_class_asks_for_a_solution():
    """The generated exercise's Conv2D (stubs in __init__ and forward) fails with the usual hint."""
    exercise = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    namespace = solved_namespace()
    exec(next(c.source for c in exercise.cells if c.get("id") == "Conv2D"), namespace)
    assert "raised NotImplementedError: replace it with your solution first." in failure("Conv2D", namespace)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (
            "def Conv2D(kernel_size):\n    return torch.randn(kernel_size)",
            "gave a torch.float32 tensor of shape (1, 2) on cpu, not an nn.Module",
        ),
        (
            "class Conv2D(nn.Module):\n    def __init__(self, kernel_size):\n        super().__init__()\n"
            "        self.conv = nn.Conv2d(1, 1, kernel_size)\n    def forward(self, x):\n"
            "        return self.conv(x[None, None])[0, 0]",
            "should have exactly two parameters, named weight and bias; its named_parameters() are: "
            "conv.weight, conv.bias.",
        ),
        (
            "class Conv2D(nn.Module):\n    def __init__(self, kernel_size):\n"
            "        self.weight = nn.Parameter(torch.randn(kernel_size))",
            "raised AttributeError: cannot assign parameters before Module.__init__() call",
        ),
    ],
)
def test_conv2d_structure_messages(answer, phrase):
    """A function instead of a class, other parameter names, a forgotten super().__init__()."""
    namespace = solved_namespace()
    exec(answer, namespace)
    message = failure("Conv2D", namespace)
    assert phrase in message, message


@pytest.mark.parametrize(
    "wrapped, phrase",
    [
        ("torch.tensor(side)", "returned a tensor (tensor(3)); it must return a Python int"),
        ("None", "returned None: did you forget the return statement?"),
        ("True", "returned True, a bool; it must return the side length as a Python int."),
    ],
)
def test_receptive_field_rejects_results_that_are_not_ints(wrapped, phrase):
    """A tensor, None or a bool fails with a message that says what came back."""
    namespace = solved_namespace()
    exec(
        "def receptive_field(kernel_sizes, strides=None):\n"
        "    strides = strides or [1] * len(kernel_sizes)\n"
        "    side = 1\n"
        "    for k, s in zip(reversed(kernel_sizes), reversed(strides)):\n"
        "        side = (side - 1) * s + k\n"
        f"    return {wrapped}\n",
        namespace,
    )
    assert phrase in failure("receptive_field", namespace)


# --- the reference and the hidden cases ---------------------------------------------------


def test_reference_receptive_field_follows_the_formula():
    """The measured receptive field equals 1 + sum_l (k_l - 1) * prod_{i < l} s_i, also when a
    stride exceeds its kernel (the region then has holes; its side is still that)."""
    for kernels in ([1], [3], [2, 5], [1, 3], [3, 1, 2], [7, 1, 1, 2]):
        for strides in ([1] * len(kernels), [3] * len(kernels), [2, 1, 3, 1][: len(kernels)]):
            side, jump = 1, 1
            for k, s in zip(kernels, strides):
                side += (k - 1) * jump
                jump *= s
            assert ref.receptive_field(kernels, strides) == side, (kernels, strides)


def test_hidden_receptive_field_cases_include_strides_beyond_kernels(monkeypatch):
    """Some hidden stack has a stride larger than its kernel below another layer."""
    seen = []
    monkeypatch.setattr(hidden, "assert_field", lambda fn, kernels, strides, **kw: seen.append((kernels, strides)))
    monkeypatch.setattr(hidden, "assert_lists_kept", lambda *args: None)
    hidden.grade_receptive_field(None)
    assert any(strides and any(s > k for k, s in zip(kernels[:-1], strides[:-1])) for kernels, strides in seen)
    assert any(strides is None for _, strides in seen)
    assert any(isinstance(kernels, tuple) for kernels, _ in seen)


def test_hidden_conv2d_cases_cover_square_and_non_square_shapes(monkeypatch):
    """The hidden forward cases use non-square inputs and kernels, a square input with a square
    kernel larger than 1x1, and one kernel that fills the input."""
    shapes = []

    def record(C, X, K, b, inputs, layer_output):
        shapes.append((X.shape, K.shape, X.dtype))

    monkeypatch.setattr(hidden, "assert_forward", record)
    monkeypatch.setattr(hidden, "_assert_gradients", lambda *args: None)
    monkeypatch.setattr(hidden, "assert_random_start", lambda *args: None)
    monkeypatch.setattr(hidden, "assert_layer_properties", lambda *args: None)
    hidden.grade_Conv2D(None)
    assert any(x == k for x, k, _ in shapes)
    assert any(x[0] != x[1] and k[0] != k[1] for x, k, _ in shapes if x != k)
    assert any(x[0] == x[1] and k[0] == k[1] > 1 for x, k, _ in shapes if x != k)
    assert any(dtype == torch.float64 for _, _, dtype in shapes)


def test_hidden_check_catches_a_kernel_transposed_only_when_square(monkeypatch):
    """An answer right on every non-square kernel but wrong on square ones fails the hidden check."""
    monkeypatch.setenv("AUTOGRADER_SEED", "5")
    namespace = solved_namespace()
    exec(
        "class Conv2D(nn.Module):\n"
        "    def __init__(self, kernel_size):\n"
        "        super().__init__()\n"
        "        self.weight = nn.Parameter(torch.randn(kernel_size))\n"
        "        self.bias = nn.Parameter(torch.randn(1))\n"
        "    def forward(self, x):\n"
        "        h, w = self.weight.shape\n"
        "        return corr2d(x, self.weight.T if h == w else self.weight) + self.bias\n",
        namespace,
    )
    assert failure("Conv2D", namespace, kinds=(0,)) is None
    assert "both square" in failure("Conv2D", namespace, kinds=(1,), diagnose=False)


def test_conv2d_module_moves_with_to():
    """The reference layer (used by the checks) follows .to(dtype), as the students' must."""
    layer = ref.Conv2D((2, 3)).to(torch.float64)
    assert all(p.dtype == torch.float64 for p in layer.parameters())
    assert isinstance(layer, nn.Module)


# --- the written question's model answer: the flat image at the default step -----------------


def _flat_data() -> tuple[torch.Tensor, torch.Tensor]:
    flat = torch.ones(6, 8, dtype=torch.float64)
    return flat, correlation.corr2d(flat, EDGE.double())


def test_flat_image_diverges_at_the_default_step():
    """Issue 16, fault 8: on the all-ones 6x8 image the Hessian is 84 * 1 1^T, eigenvalues 0, 0 and
    252, so the largest stable step is 2/252 ~ 0.0079 and the default lr = 0.01 diverges (the sum
    w1 + w2 + b is multiplied by 1 - 2.52 = -1.52 per step); lr = 0.001 converges onto the plane."""
    flat, target = _flat_data()
    H = ref.hessian(flat, (1, 2))
    assert torch.equal(H, torch.full((3, 3), 84.0, dtype=torch.float64))
    eigenvalues = torch.linalg.eigvalsh(H)
    assert eigenvalues.tolist() == pytest.approx([0.0, 0.0, 252.0], abs=1e-9)
    largest_stable = 2 / eigenvalues.max().item()
    assert largest_stable == pytest.approx(0.0079, abs=5e-5) and largest_stable < 0.01
    assert 1 - 0.01 * 252 == pytest.approx(-1.52)
    assert 1.52**100 == pytest.approx(1.6e18, rel=0.05)
    for seed in (0, 4, 6):
        torch.manual_seed(seed)
        _, losses, _ = ref.fit(flat, target, steps=100, lr=0.01)
        assert losses[-1] > 1e30 * max(losses[0], 1e-3), (seed, losses[0], losses[-1])
        torch.manual_seed(seed)
        _, losses, _ = ref.fit(flat, target, steps=100, lr=0.001)
        assert losses[-1] < 1e-12 * max(losses[0], 1.0), (seed, losses[0], losses[-1])


def test_horizontal_stripe_is_stable_at_the_default_step():
    """Case (b) of the written question: the largest eigenvalue is about 178 < 200, so lr = 0.01 is stable."""
    X = torch.ones(6, 8, dtype=torch.float64)
    X[2:4] = 0
    assert torch.linalg.eigvalsh(ref.hessian(X, (1, 2))).max().item() == pytest.approx(178.42, abs=0.01)


def test_written_answer_says_the_default_step_diverges_on_the_flat_image():
    """The model answer of the written question no longer claims convergence at lr = 0.01 (fault 8)."""
    notebook = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "written_identifiability"]
    assert "2/252 \\approx 0.0079" in cell.source and "-1.52" in cell.source


def test_convergence_numbers_of_the_chapter():
    """The numbers glued in the convergence section: eigenvalues 12, 19.69, 124.31; factors 0.88,
    0.803, -0.243 at lr = 0.01; loss factors 0.774 and 0.645; 0.88^100 = 2.8e-6; 2/lambda_3 =
    0.0161; the mean loss's slowest factor 0.997, 75 % left after 100 steps; the best step 0.0147
    with factor 0.82; the seed-0 start bias -2.18."""
    X, _ = ref.make_stripe_data()
    lam1, lam2, lam3 = torch.linalg.eigvalsh(ref.hessian(X, (1, 2))).tolist()
    assert (lam1, lam2, lam3) == pytest.approx((12.0, 12 * (6 - math.sqrt(19)), 12 * (6 + math.sqrt(19))))
    assert [round(1 - 0.01 * lam, 3) for lam in (lam1, lam2, lam3)] == [0.88, 0.803, -0.243]
    assert round((1 - 0.01 * lam1) ** 2, 3) == 0.774 and round((1 - 0.01 * lam2) ** 2, 3) == 0.645
    assert f"{(1 - 0.01 * lam1) ** 100:.1e}" == "2.8e-06"
    assert round(2 / lam3, 4) == 0.0161
    assert round(1 - 0.01 * lam1 / 42, 3) == 0.997 and round((1 - 0.01 * lam1 / 42) ** 100, 2) == 0.75
    assert round(2 / (lam1 + lam3), 4) == 0.0147 and round((lam3 - lam1) / (lam3 + lam1), 2) == 0.82
    torch.manual_seed(0)
    assert round(ref.Conv2D((1, 2)).bias.item(), 2) == -2.18
    assert round(1 - 0.015 * lam3, 2) == -0.86  # the check-yourself answer on lr = 0.015
    assert ref.receptive_field([5, 5]) == 9 and ref.receptive_field([3, 3], [2, 2]) == 7
