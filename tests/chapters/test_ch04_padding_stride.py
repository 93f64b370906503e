"""Chapter 4 (padding, stride and dilation): the reference, integer results, the hidden plans, the
padding built-in and the planned mistakes. The generic tests (messages, seeds, other right
answers) read the chapter's table, tests/chapters/ch04_padding_stride.py."""

import time
from functools import partial

import pytest
import torch
from answers import failure, with_answer
from answers import solved_namespace as notebook_solved_namespace
from torch import nn

from autograder.chapters import mistakes_for
from autograder.chapters.ch04_padding_stride import checks as checks
from autograder.chapters.ch04_padding_stride import hidden
from autograder.chapters.ch04_padding_stride import reference as ref
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch04_padding_stride"
EXERCISES = ("conv_output_size", "pad2d", "corr2d_general")


solved_namespace = partial(notebook_solved_namespace, ASSIGNMENT)


# --- the reference ------------------------------------------------------------------------


def test_reference_output_size_follows_the_formula():
    """The reference (read off F.conv2d on the meta device) agrees with the chapter's formula."""
    for n in range(1, 13):
        for k in range(1, 5):
            for p in range(3):
                for s in range(1, 4):
                    for d in range(1, 4):
                        if d * (k - 1) + 1 <= n + 2 * p:
                            assert ref.conv_output_size(n, k, p, s, d) == (n + 2 * p - d * (k - 1) - 1) // s + 1
    assert ref.conv_output_size(1_000_003, 7, 3, 5, 2) == (1_000_003 + 6 - 12 - 1) // 5 + 1


# --- conv_output_size: integer results ----------------------------------------------------

RIGHT = "(n + 2 * padding - dilation * (k - 1) - 1) // stride + 1"
# Tuple arguments handled axis by axis, each axis by the int code that follows.
BROADCAST = (
    "    args = (n, k, padding, stride, dilation)\n"
    "    if not all(isinstance(a, int) for a in args):\n"
    "        dims = max(len(a) for a in args if not isinstance(a, int))\n"
    "        axes = [(a,) * dims if isinstance(a, int) else a for a in args]\n"
    "        return tuple(conv_output_size(*axis) for axis in zip(*axes))\n"
)


@pytest.mark.parametrize(
    "wrapped, phrase",
    [
        (f"float({RIGHT})", "returned 6.0, a float; it must return a Python int. A float usually comes from true"),
        (f"torch.tensor({RIGHT})", "returned a tensor (tensor(6)); it must return a Python int."),
        (f"np.int64({RIGHT})", "(of type numpy.int64); it must return a Python int (convert with int(...))"),
        ("True", "returned True, a bool; it must return the output size as a Python int."),
        ("None", "returned None: did you forget the return statement?"),
        (f"str({RIGHT})", "returned '6' (of type str); it must return a Python int"),
    ],
)
def test_conv_output_size_rejects_results_that_are_not_ints(wrapped, phrase):
    """A float, tensor, NumPy integer, bool or None fails, and the message says what came back."""
    namespace = with_answer(
        "conv_output_size",
        f"import numpy as np\n\ndef conv_output_size(n, k, padding=0, stride=1, dilation=1):\n    return {wrapped}\n",
    )
    message = failure("conv_output_size", namespace)
    assert message.startswith("conv_output_size(n=8, k=3) (default padding, stride and dilation) ")
    assert phrase in message


def test_conv_output_size_wrong_int_names_arguments_got_and_expected():
    """A wrong size is reported with every argument, the value returned and the one expected."""
    source = (
        "def conv_output_size(n, k, padding=0, stride=1, dilation=1):\n"
        "    if n == 7 and stride == 2:\n        return 3\n"
        f"    return {RIGHT}\n"
    )
    assert failure("conv_output_size", with_answer("conv_output_size", source)) == (
        "conv_output_size(n=7, k=3, padding=1, stride=2, dilation=1) returned 3, expected 4."
    )


@pytest.mark.parametrize(
    "condition, group",
    [
        (
            "n >= 500",
            r"Hidden check 5 of 9 failed \(grading seed 1234\), on large inputs \(n from 500 to 100000\) \(4 cases\)",
        ),
        (
            "n + 2 * padding == dilation * (k - 1) + 1",
            # the random group may draw such a case too; the plan test shows that group 4 always does
            r"Hidden check [14] of 9 failed \(grading seed 1234\), on (random sizes|a dilated kernel exactly as large)",
        ),
    ],
)
def test_conv_output_size_hidden_edge_cases_are_reached(monkeypatch, condition, group):
    """An answer that is wrong only on large inputs, or only when the output has size 1, loses the
    hidden points, and the message names the group of cases, the seed and the arguments."""
    monkeypatch.setenv("AUTOGRADER_SEED", "1234")
    source = (
        "def conv_output_size(n, k, padding=0, stride=1, dilation=1):\n"
        f"{BROADCAST}"
        f"    right = {RIGHT}\n"
        f"    return right + 1 if {condition} else right\n"
    )
    namespace = with_answer("conv_output_size", source)
    checks.check_conv_output_size(namespace["conv_output_size"])
    wrong_size = r".*\nconv_output_size\(n=\d+, k=\d+, .*\) returned \d+, expected \d+\.$"
    with pytest.raises(CheckFailure, match=group + wrong_size):
        hidden.grade_conv_output_size(namespace["conv_output_size"])


@pytest.mark.parametrize("seed", range(30))
def test_conv_output_size_hidden_plan_covers_the_edge_cases(seed):
    """Every seed draws valid cases, strides beyond the kernel, padding with dilation, output size 1
    and large n."""
    plan = dict(hidden._size_plan(Cases(seed)))
    for cases in plan.values():
        for n, k, p, _, d in cases:
            assert n >= 1 and d * (k - 1) + 1 <= n + 2 * p
    assert all(s > k for n, k, p, s, d in plan["a stride larger than the kernel"])
    assert all(p > 0 and d > 1 for n, k, p, s, d in plan["padding together with dilation"])
    filling = plan["a dilated kernel exactly as large as the padded input (output size 1)"]
    assert all(ref.conv_output_size(*case) == 1 for case in filling)
    assert all(n >= 500 for n, *_ in plan["large inputs (n from 500 to 100000)"])


# --- pad2d and corr2d_general: hidden cases -------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_corr2d_general_hidden_plan_covers_the_edge_cases(seed):
    """Non-square inputs, (height, width) pairs with different values, stride beyond the kernel,
    padding with dilation, a kernel filling the padded input, float64, then a square input and kernel."""
    plan = hidden._general_plan(Cases(seed))
    for X, K, padding, stride, dilation, label in plan:
        ref.corr2d_general(X, K, padding, stride, dilation)  # the kernel fits
        if "square input" not in label:
            assert X.shape[0] != X.shape[1] or "exactly as large" in label
            assert K.shape[0] != K.shape[1]
    X, K, *_ = plan[-1]
    assert X.shape[0] == X.shape[1] and K.shape[0] == K.shape[1] > 1
    X, K, padding, stride, dilation, _ = plan[0]
    assert all(isinstance(v, tuple) and v[0] != v[1] for v in (padding, stride, dilation))
    _, K, _, stride, _, _ = plan[2]
    assert stride[0] > K.shape[0] and stride[1] > K.shape[1]
    _, _, padding, _, dilation, _ = plan[3]
    assert min(padding) > 0 and dilation > 1
    X, K, padding, stride, dilation, _ = plan[4]
    assert ref.corr2d_general(X, K, padding, stride, dilation).shape == (1, 1)
    assert plan[5][0].dtype == torch.float64


# --- the padding built-in and the known mistakes ----------------------------------------------


def test_padding_builtin_is_refused_in_pad2d_only():
    """pad2d may not call F.pad; corr2d_general may (only the convolution built-in is refused there)."""
    namespace = with_answer("pad2d", next(m for m in mistakes_for("pad2d") if m.name == "pad2d_builtin").source)
    assert "called PyTorch's built-in padding (the operation constant_pad_nd ran)" in failure("pad2d", namespace)
    assert failure("corr2d_general", namespace) is None  # corr2d_general builds on this F.pad-based pad2d


def test_mistakes_cover_the_planned_wrong_answers():
    """At least the wrong answers the chapter plans for (their hints: test_exercises.py)."""
    counts = {exercise: len(mistakes_for(exercise)) for exercise in EXERCISES}
    assert counts["conv_output_size"] >= 5 and counts["pad2d"] >= 5 and counts["corr2d_general"] >= 7, counts


@pytest.mark.parametrize("exercise", EXERCISES)
def test_visible_checks_are_fast(exercise):
    """The visible checks of the instructor's answer take well under a second of CPU time (not
    wall time, which a busy machine stretches)."""
    namespace = solved_namespace()
    check = getattr(checks, f"check_{exercise}")
    check(namespace[exercise])  # warm up
    start = time.process_time()
    check(namespace[exercise])
    assert time.process_time() - start < 0.5


# --- conv_output_size with tuples: 1-D, 2-D and 3-D ------------------------------------------


@pytest.mark.parametrize(
    "layer, shape, settings",
    [
        (nn.Conv1d, (100,), {"kernel_size": 5, "padding": 2, "stride": 2}),
        (nn.Conv1d, (9,), {"kernel_size": 3, "stride": 2, "dilation": 2}),
        (nn.Conv2d, (8, 6), {"kernel_size": (3, 5), "padding": (1, 0), "stride": (2, 1)}),
        (nn.Conv2d, (7, 9), {"kernel_size": 3, "padding": 1, "stride": 2}),
        (nn.Conv3d, (16, 64, 48), {"kernel_size": (3, 5, 5), "padding": (1, 2, 2), "stride": (1, 2, 2)}),
        (nn.Conv3d, (9, 10, 11), {"kernel_size": 3, "dilation": (1, 2, 3)}),
        (nn.Conv3d, (8, 32, 32), {"kernel_size": (1, 3, 3), "padding": (0, 1, 1)}),
    ],
)
def test_reference_tuple_sizes_are_the_layers_output_shapes(layer, shape, settings):
    """With tuples (ints broadcast), the reference gives the spatial shape nn.Conv1d/2d/3d produce."""
    conv = layer(1, 1, **settings)
    with torch.no_grad():
        measured = tuple(conv(torch.zeros(1, 1, *shape)).shape[2:])
    arguments = [
        settings.get(name, default)
        for name, default in (("kernel_size", 1), ("padding", 0), ("stride", 1), ("dilation", 1))
    ]
    assert ref.conv_output_size(shape, *arguments) == measured
    assert ref.conv_output_size(shape, conv.kernel_size, conv.padding, conv.stride, conv.dilation) == measured


def test_visible_tuple_examples_are_the_exercise_texts():
    """The examples the exercise text and the chapter quote are the checks' (and are right)."""
    sizes = [ref.conv_output_size(*example) for example in checks.TUPLE_EXAMPLES]
    assert sizes == [(50,), (4, 2), (4, 5), (16, 32, 24), (7, 6, 5)]
    assert ref.conv_output_size((6, 5), (3, 3)) == (4, 3)
    with pytest.raises(ValueError):
        ref.conv_output_size((7, 9), (3, 3, 3))


@pytest.mark.parametrize("seed", range(30))
def test_conv_output_size_hidden_tuple_plan(seed):
    """Every seed draws 1-D, 2-D and 3-D cases whose kernels fit, ints mixed among the tuples."""
    plan = dict(hidden._tuple_plan(Cases(seed)))
    cases = [case for group in plan.values() for case in group]
    assert {max(len(a) for a in case if isinstance(a, tuple)) for case in cases} == {1, 2, 3}
    assert any(isinstance(a, int) for case in cases for a in case)
    for case in cases:
        size = ref.conv_output_size(*case)
        assert isinstance(size, tuple) and min(size) >= 1
    assert all(
        isinstance(k, int) for _, k, *_ in plan["a tuple input with an int kernel size (broadcast to every dimension)"]
    )


# --- numbers in the chapter's prose (issue 16: glued, and pinned here) -----------------------


def test_chapter_numbers():
    """The numbers the chapter states: seven 5x5 layers leave 4x4 of 32x32; the usage counts of
    the first and fourth rows; d2l's total padding against PyTorch's per side; the receptive fields
    of the four stacks (7, 11, 15, 13); the 4/9 corners of the zero-padded box blur."""
    sizes = [32]
    while sizes[-1] >= 5:
        sizes.append(ref.conv_output_size(sizes[-1], 5))
    assert (len(sizes) - 1, sizes[-1]) == (7, 4)
    X = torch.zeros(8, 8, requires_grad=True)
    ref.corr2d_general(X, torch.ones(3, 3)).sum().backward()
    assert X.grad[0, :4].tolist() == [1, 2, 3, 3] and X.grad[3, :4].tolist() == [3, 6, 9, 9]
    assert ref.conv_output_size(8, 3, padding=1) == 8 == 8 - 3 + 2 + 1  # d2l: p_h = 2 rows in total
    assert ref.conv_output_size(8, 3, padding=2) == 10
    for strides, dilations, side in (
        ((1, 1, 1), (1, 1, 1), 7),
        ((2, 1, 1), (1, 1, 1), 11),
        ((1, 1, 1), (1, 2, 4), 15),
        ((1, 1, 1), (2, 2, 2), 13),
    ):
        x = torch.zeros(1, 1, 21, 21, requires_grad=True)
        y = x
        for s, d in zip(strides, dilations):
            y = torch.nn.functional.conv2d(y, torch.ones(1, 1, 3, 3), stride=s, padding=d, dilation=d)
        y[0, 0, y.shape[-1] // 2, y.shape[-1] // 2].backward()
        rows = x.grad[0, 0].nonzero()[:, 0]
        assert int(rows.max() - rows.min()) + 1 == side
    blurred = torch.nn.functional.conv2d(torch.ones(1, 1, 4, 6), torch.ones(1, 1, 3, 3) / 9, padding=1)
    assert blurred[0, 0, 0, 0].item() == pytest.approx(4 / 9)
