"""Chapter 6 (transposed convolution): the references against PyTorch, the hidden plans, integer
results, the planned mistakes and the chapter's figures. The generic tests (messages, seeds,
other right answers, the hints' sections) read the chapter's table,
tests/chapters/ch06_transposed_conv.py."""

import re
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import solved_namespace as notebook_solved_namespace
from answers import with_answer
from course import REPO
from tables import entry
from torch import nn

from autograder.chapters import mistakes_for
from autograder.chapters.ch04_padding_stride.reference import conv_output_size
from autograder.chapters.ch06_transposed_conv import checks as checks
from autograder.chapters.ch06_transposed_conv import hidden as hidden
from autograder.chapters.ch06_transposed_conv import reference as ref
from autograder.runtime import sections
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch06_transposed_conv"
CHAPTER = (REPO / "book" / f"{ASSIGNMENT}.md").read_text(encoding="utf-8")
EXERCISES = ("conv_matrix", "trans_conv", "trans_conv_output_size")
MISTAKES = [m for exercise in EXERCISES for m in mistakes_for(exercise)]
solved_namespace = partial(notebook_solved_namespace, ASSIGNMENT)


def answer(exercise: str, source: str):
    """``exercise`` as defined by ``source`` run after the solved notebook."""
    return with_answer(exercise, source)[exercise]


# --- the references against PyTorch ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_conv_matrix_reference_multiplies_like_a_convolution(seed):
    """W @ x is the cross-correlation, and W.T @ y is F.conv_transpose2d: the chapter's two claims."""
    cases = Cases(seed)
    H, W = cases.distinct_sizes(3, 7)
    K = cases.randn(*cases.distinct_sizes(1, 3), dtype=torch.float64)
    M = ref.conv_matrix(K, (H, W))
    X = cases.randn(H, W, dtype=torch.float64)
    Y = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert M.shape == (Y.numel(), H * W) and M.dtype == torch.float64
    torch.testing.assert_close(M @ X.flatten(), Y.flatten())
    Z = cases.randn(*Y.shape, dtype=torch.float64)
    torch.testing.assert_close(M.T @ Z.flatten(), F.conv_transpose2d(Z[None, None], K[None, None]).flatten())


def test_conv_matrix_reference_on_the_worked_example():
    """The 3x3 kernel 1..9 on a 4x4 input (the source notes): a 4x16 matrix, K's rows 4 columns apart."""
    K = torch.arange(1.0, 10.0).reshape(3, 3)
    M = ref.conv_matrix(K, (4, 4))
    assert M.shape == (4, 16)
    assert M[0].tolist() == [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0]
    assert M[3].tolist() == [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9]


def test_trans_conv_reference_is_the_gradient_of_the_convolution():
    """Transposed convolution is what backpropagation computes for a convolution's input."""
    cases = Cases(7)
    X = cases.randn(6, 9, dtype=torch.float64).requires_grad_(True)
    K = cases.randn(3, 2, dtype=torch.float64)
    Y = F.conv2d(X[None, None], K[None, None], stride=(2, 3), padding=1)[0, 0]
    G = cases.randn(*Y.shape, dtype=torch.float64)
    (grad,) = torch.autograd.grad(Y, X, G)
    full = ref.trans_conv(G, K, stride=(2, 3), padding=1)
    # the transposed convolution returns the smallest input the convolution maps to Y's shape
    torch.testing.assert_close(grad[: full.shape[0], : full.shape[1]], full)


def test_output_size_reference_follows_the_formula_and_the_module():
    """The reference agrees with (n - 1)s - 2p + d(k - 1) + op + 1 and with nn.ConvTranspose2d."""
    for n in range(1, 8):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(3):
                    for d in range(1, 3):
                        for op in range(max(s, d)):
                            size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
                            if size >= 1:
                                assert ref.trans_conv_output_size(n, k, s, p, op, d) == size
    layer = nn.ConvTranspose2d(2, 3, (3, 4), stride=(2, 3), padding=(1, 2), output_padding=(1, 2), dilation=(1, 2))
    out = layer(torch.zeros(1, 2, 5, 6))
    assert out.shape[2:] == (ref.trans_conv_output_size(5, 3, 2, 1, 1, 1), ref.trans_conv_output_size(6, 4, 3, 2, 2, 2))


def test_solution_conv_matrix_transposed_is_the_solution_trans_conv():
    """The two exercises meet: conv_matrix(K, shape).T @ y.flatten() == trans_conv(y, K).flatten()."""
    names = solved_namespace()
    cases = Cases(11)
    K = cases.randn(2, 3, dtype=torch.float64)
    M = names["conv_matrix"](K, (5, 7))
    Y = cases.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(M.T @ Y.flatten(), names["trans_conv"](Y, K).flatten())


# --- the hidden plans ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_conv_matrix_hidden_plan_covers_the_edge_cases(seed):
    """Non-square shapes and kernels, a kernel as large as the input, a 1x1 kernel, float64."""
    plan = hidden._conv_matrix_plan(Cases(seed))
    for K, (H, W), _ in plan:
        assert K.shape[0] <= H and K.shape[1] <= W
    for K, (H, W), _ in plan[:3]:
        assert H != W and K.shape[0] != K.shape[1]
    assert plan[2][0].dtype == torch.float64
    assert plan[3][0].shape == plan[3][1]
    assert plan[4][0].shape == (1, 1) and plan[4][1][0] != plan[4][1][1]
    K, (H, W), _ = plan[-1]  # a kernel transposed only when square is caught
    assert H == W and K.shape[0] == K.shape[1] >= 2


@pytest.mark.parametrize("seed", range(40))
def test_trans_conv_hidden_plan_covers_the_edge_cases(seed):
    """Valid settings, pair strides, a stride beyond the kernel, padding, a kernel larger than the
    input, a 1x1 kernel, float64, and a square input with a square kernel."""
    plan = hidden._trans_plan(Cases(seed))
    for X, K, stride, padding, _ in plan:
        assert ref.trans_conv(X, K, stride, padding).numel() >= 1
    assert all(X.shape[0] != X.shape[1] for X, *_ in plan[:-1])
    X, K, *_ = plan[-1]
    assert X.shape[0] == X.shape[1] and K.shape[0] == K.shape[1] >= 2
    _, K, stride, _, _ = plan[2]
    assert stride[0] > K.shape[0] and stride[1] > K.shape[1]
    _, _, stride, padding, _ = plan[3]
    assert padding[0] >= 1 and stride[0] != stride[1]
    X, K, _, _, _ = plan[4]
    assert K.shape[0] > X.shape[0] and K.shape[1] > X.shape[1]
    assert plan[5][1].shape == (1, 1)
    X, _, _, padding, _ = plan[6]
    assert X.dtype == torch.float64 and padding >= 1


@pytest.mark.parametrize("seed", range(40))
def test_output_size_hidden_plan_covers_the_edge_cases(seed):
    """PyTorch accepts every case; output_padding, round trips, dilation and large n are all drawn."""
    plan = dict(hidden._size_plan(Cases(seed)))
    for examples in plan.values():
        for case in examples:
            assert ref.trans_conv_output_size(*case) >= 1
    assert all(op > 0 for _, _, _, _, op, _ in plan["output_padding > 0 (below the stride)"])
    for n, k, s, p, op, d in plan["the output_padding that restores the input length of a strided convolution"]:
        size = ref.trans_conv_output_size(n, k, s, p, op, d)
        assert conv_output_size(size, k, p, s, d) == n
    assert all(d > 1 and p > 0 for _, _, _, p, _, d in plan["dilation > 1 with padding"])
    assert all(n >= 500 for n, *_ in plan["large inputs (n from 500 to 100000)"])


# --- trans_conv_output_size: integer results -------------------------------------------------

RIGHT = "(n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1"


@pytest.mark.parametrize(
    "wrapped, phrase",
    [
        (f"float({RIGHT})", "returned 3.0, a float; it must return a Python int. Usual causes: a float somewhere"),
        (f"torch.tensor({RIGHT})", "used PyTorch tensors or layers; it must compute the size from scratch"),
        (f"np.int64({RIGHT})", "(of type numpy.int64); it must return a Python int (convert with int(...))"),
        ("True", "returned True, a bool"),
        ("None", "returned None: did you forget the return statement?"),
    ],
)
def test_output_size_must_be_a_python_int(wrapped, phrase):
    """A float, tensor, NumPy integer, bool or None fails, and the message says what came back, assuming
    nothing of the code: no formula of the exercise divides, and no operation's name is quoted."""
    source = (
        "import numpy as np\n\n"
        "def trans_conv_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1):\n"
        f"    return {wrapped}\n"
    )
    message = failure("trans_conv_output_size", answer("trans_conv_output_size", source))
    assert message.startswith("trans_conv_output_size(n=2, k=2) (default stride, padding, output_padding, dilation)")
    assert phrase in message, message
    assert "division / always" not in message and "lift_fresh" not in message, message


def test_wrong_only_on_large_inputs_loses_the_hidden_points(monkeypatch):
    """An answer right on the examples but wrong for large n is caught, and the group is named."""
    monkeypatch.setenv("AUTOGRADER_SEED", "99")
    source = (
        "def trans_conv_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1):\n"
        f"    right = {RIGHT}\n    return right if n < 500 else right - 1\n"
    )
    function = answer("trans_conv_output_size", source)
    checks.check_trans_conv_output_size(function)
    with pytest.raises(CheckFailure, match=r"Hidden check 5 of 5 failed \(grading seed 99\), on large inputs"):
        hidden.grade_trans_conv_output_size(function)


# --- messages that describe what the answer did ----------------------------------------------------


def test_kernel_turned_is_told_the_effect_not_a_padding_it_did_not_do():
    """An answer that spreads copies of K turned by 180 degrees pads nothing: its message names what
    its result shows, and gives padding only as one usual cause (issue 14)."""
    exercise, source = entry(ASSIGNMENT, "OTHER_WRONG_ANSWERS")["trans_conv_spreads_flipped_kernel"]
    message = failure(exercise, answer(exercise, source))
    assert "known mistake: applies the kernel turned by 180 degrees." in message, message
    assert "usual causes are" in message and "Padding X with k - 1 zeros" not in message, message


# --- the notebook and the book ------------------------------------------------------------------


def test_mistakes_cover_the_planned_wrong_answers():
    """The wrong answers the chapter plans for exist, and the sections they explain are headings of
    the chapter (their hints: test_exercises.py)."""
    headings = set(sections.page_sections(ASSIGNMENT))
    assert {"each-input-element-spreads-a-copy-of-the-kernel", "output-padding"} <= headings
    required = {
        "trans_conv_kernel_turned",
        "trans_conv_pads_input",
        "trans_conv_stride_ignored",
        "trans_conv_output_size_no_output_padding",
        "trans_conv_output_size_dilation_ignored",
    }
    assert required <= {m.name for m in MISTAKES}


def test_chapter_shows_the_figures_the_issue_asks_for():
    """The chapter draws the scatter steps, W beside W.T, output_padding and the round trip."""
    names = set(re.findall(r"^    name: (fig-transposed-[\w-]+)$", CHAPTER, flags=re.MULTILINE))
    assert {
        "fig-transposed-scatter",
        "fig-transposed-matrix",
        "fig-transposed-output-padding",
        "fig-transposed-round-trip",
    } <= names, names
    assert all(name.startswith("fig-transposed-") for name in re.findall(r"^    name: (\S+)$", CHAPTER, re.MULTILINE))


# ---------------------------------------------------------------------------------------
# Convolution as a matrix under stride and padding, and the round trip (issue 16: glued numbers).


def _strided_conv_matrix(K, input_shape, stride, padding):
    """W of a cross-correlation with stride and padding: one column per input pixel, as the chapter builds it."""
    H, W = input_shape
    units = torch.eye(H * W).reshape(H * W, 1, H, W)
    return F.conv2d(units, K[None, None], stride=stride, padding=padding).flatten(1).T


@pytest.mark.parametrize("stride, padding, extra", [(1, 0, 0), (2, 0, 1), (1, 1, 0), (2, 1, 1)])
def test_stride_and_padding_change_the_rows_of_W_not_its_columns(stride, padding, extra):
    """Section "Convolution as a matrix": W keeps 16 columns; stride 2 leaves 1 row (no padding),
    padding 1 makes it 16 x 16 with 4, 6 and 9 kernel entries kept in corner, edge and inner rows;
    W.T is the transposed convolution with the same stride and padding (and output_padding)."""
    K = torch.arange(1.0, 10.0).reshape(3, 3)
    M = _strided_conv_matrix(K, (4, 4), stride, padding)
    side = conv_output_size(4, 3, padding, stride)
    assert M.shape == (side * side, 16)
    values = torch.arange(1.0, side * side + 1)
    back = F.conv_transpose2d(
        values.reshape(1, 1, side, side), K[None, None], stride=stride, padding=padding, output_padding=extra
    )
    torch.testing.assert_close(M.T @ values, back.flatten())
    if (stride, padding) == (2, 0):
        assert M.shape[0] == 1
    if (stride, padding) == (1, 1):
        kept = (M != 0).sum(dim=1).reshape(4, 4)
        assert (kept[0, 0], kept[0, 1], kept[1, 1]) == (4, 6, 9)
    # with stride 2 and no padding, 3x3 and 4x4 inputs give the same single window
    assert conv_output_size(3, 3, 0, 2) == conv_output_size(4, 3, 0, 2) == 1


def test_round_trip_corner():
    """Section "A round trip": the corner of the box round trip on 0..15 is 5/9 (about 0.56), not 0."""
    X4 = torch.arange(16.0).reshape(4, 4)
    box = torch.ones(3, 3) / 9
    up = ref.trans_conv(F.conv2d(X4[None, None], box[None, None])[0, 0], box)
    assert up[0, 0].item() == pytest.approx(5 / 9) and f"{5 / 9:.2f}" == "0.56"
