"""Chapter 12 (your own CNN): the finished blocks the notebook imports, the student's notebook, the
twins and their state_dicts, the recorded twin passes, what the module checks refuse, the numbers of
the written answer, and the training check's two arguments. The generic tests (messages, seeds,
properties, the course's references handed in) read the chapter's table, tests/chapters/ch12_own_cnn.py.

How often the hidden check of ``train_own_digits`` fails a correct answer is measured, not tested (it
trains networks for seconds each): ``benchmarks/train_own_digits_reliability.py`` over grading seeds
0..99 (:data:`autograder.chapters.ch12_own_cnn.hidden.MEASURED`); the check retries a short run once.
"""

import json
import math
from functools import partial

import answers
import pytest
import torch
import torch.nn.functional as F
from course import REPO
from torch import nn

from autograder.chapters.ch11_gradients_by_hand import reference as ch11
from autograder.chapters.ch12_own_cnn import checks, hidden
from autograder.chapters.ch12_own_cnn import reference as ref
from autograder.runtime import blocks
from autograder.runtime.compare import CheckFailure
from autograder.runtime.guard import recording, used_builtins

ASSIGNMENT = "ch12_own_cnn"
solved_namespace = partial(answers.solved_namespace, ASSIGNMENT)
F64 = torch.float64
MODULES = ("OwnReLU", "OwnLinear", "OwnConv2d", "OwnMaxPool2d", "OwnBatchNorm2d")


# --- the notebook ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((2, 1), (1, 2))])
def test_the_imported_blocks_are_chapter_11s_backwards(stride, padding):
    """The finished blocks the notebook imports compute what chapter 11's references do (autograd through
    PyTorch's built-ins), ties in max pooling included."""
    gen = torch.Generator().manual_seed(0)
    X, K = torch.randn(2, 3, 7, 6, generator=gen, dtype=F64), torch.randn(4, 3, 3, 2, generator=gen, dtype=F64)
    dY = torch.randn_like(F.conv2d(X, K, None, stride, padding))
    got, want = blocks.conv2d_backward(dY, X, K, stride, padding), ch11.conv2d_backward(dY, X, K, stride, padding)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)
    ties = torch.randint(0, 3, (2, 3, 7, 6), generator=gen).to(F64)
    dP = torch.randn_like(F.max_pool2d(ties, 2, stride))
    want = ch11.max_pool2d_backward(dP, ties, 2, stride)
    torch.testing.assert_close(blocks.max_pool2d_backward(dP, ties, 2, stride), want)
    gamma = torch.rand(3, generator=gen, dtype=F64) + 0.5
    dZ = torch.randn_like(X)
    for got, want in zip(blocks.batch_norm_backward(dZ, X, gamma), ch11.batch_norm_backward(dZ, X, gamma)):
        torch.testing.assert_close(got, want)


def _student_notebook() -> dict:
    return json.loads((REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())


def test_the_student_notebook_imports_the_blocks_and_holds_no_answer():
    """The student's notebook imports chapter 11's backwards in a locked cell (with the note on pasting
    one's own), defines none of them, and holds no line of this chapter's answers."""
    cells = _student_notebook()["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    block = next(cell for cell in cells if cell["metadata"]["nbgrader"]["grade_id"] == "blocks")
    assert block["metadata"]["nbgrader"]["locked"]
    text = "".join(block["source"])
    assert "from autograder.runtime.blocks import batch_norm_backward, conv2d_backward, max_pool2d_backward" in text
    assert "paste your own chapter 11 functions" in text
    for name in ("conv2d_backward", "max_pool2d_backward", "batch_norm_backward"):
        assert not any(f"def {name}" in source for source in sources), name
    lines, inside = set(), False
    for cell in answers.SOLUTIONS[ASSIGNMENT].cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            inside = (inside or stripped == "### BEGIN SOLUTION") and stripped != "### END SOLUTION"
            if inside and len(stripped) > 12 and not stripped.startswith("###"):
                lines.add(stripped)
    leaked = sorted(line for line in lines if any(line in source for source in sources))
    assert not leaked, leaked


def test_each_module_answer_cell_holds_its_function_and_its_module():
    """An answer cell of a module defines the Function its forward applies, then the module."""
    cells = answers.answers(answers.SOLUTIONS[ASSIGNMENT])
    functions = ("ReLUFunction", "LinearFunction", "Conv2dFunction", "MaxPool2dFunction", "BatchNorm2dFunction")
    for name, function in zip(MODULES, functions):
        source = cells[name]
        assert f"class {function}(torch.autograd.Function)" in source and f"class {name}(nn.Module)" in source
        assert f"{function}.apply(" in source


# --- the twins --------------------------------------------------------------------------------------------

TWIN_CASES = {
    "OwnReLU": ((), {}),
    "OwnLinear": ((5, 3), {"bias": False}),
    "OwnConv2d": ((2, 3, (3, 2)), {"stride": (2, 1), "padding": 1}),
    "OwnMaxPool2d": ((2,), {}),
    "OwnBatchNorm2d": ((4,), {"eps": 1e-3, "momentum": 0.2}),
}


@pytest.mark.parametrize("name", MODULES)
def test_a_state_dict_loads_from_each_solution_module_into_its_twin_and_back(name):
    """Strictly, both ways, with the same keys, shapes and dtypes (buffers included)."""
    cls = solved_namespace()[name]
    args, kwargs = TWIN_CASES[name]
    own, twin = cls(*args, **kwargs), ref.TWINS[name](*args, **kwargs)
    twin.load_state_dict(own.state_dict())
    own.load_state_dict(twin.state_dict())
    assert {k: (v.shape, v.dtype) for k, v in own.state_dict().items()} == {
        k: (v.shape, v.dtype) for k, v in twin.state_dict().items()
    }


def test_the_solution_network_and_digitstwin_load_each_others_state_dict_and_agree():
    """OwnDigitsCNN's state_dict has DigitsTwin's keys; with the same weights both give the same logits
    and the same gradients of every parameter, in train and eval mode (float64)."""
    own, twin = solved_namespace()["OwnDigitsCNN"]().double(), ref.DigitsTwin().double()
    assert list(own.state_dict()) == list(twin.state_dict())
    twin.load_state_dict(own.state_dict())
    x = torch.rand(6, 1, 8, 8, dtype=F64)
    for training in (True, False):
        own.train(training), twin.train(training)
        a, b = own(x), twin(x)
        torch.testing.assert_close(a, b)
        G = torch.randn_like(a)
        ga = torch.autograd.grad(a, list(own.parameters()), G)
        gb = torch.autograd.grad(b, list(twin.parameters()), G)
        for p, q in zip(ga, gb):
            torch.testing.assert_close(p, q)
    own.load_state_dict(twin.state_dict())


def test_the_twin_layout_and_pass_describe_the_twin():
    """twin_layout lists the twin's parameters and buffers; twin_pass runs its steps and returns the state
    after them (the running statistics of two training steps)."""
    layout = ref.twin_layout("OwnBatchNorm2d", (3,), {})
    assert list(layout["parameters"]) == ["weight", "bias"]
    assert layout["buffers"]["num_batches_tracked"] == [[], torch.int64]
    state = checks.seeded_state(layout, 0)
    xs = (torch.randn(4, 3, 2, 5, dtype=F64), torch.randn(4, 3, 2, 5, dtype=F64))
    result = ref.twin_pass("OwnBatchNorm2d", (3,), {}, state, xs, torch.ones(4, 3, 2, 5, dtype=F64), True)
    assert int(result["state"]["num_batches_tracked"]) == 5  # 3 seeded, then two steps
    n = 4 * 2 * 5
    mean = state["running_mean"]
    for x in xs:
        mean = 0.9 * mean + 0.1 * x.mean(dim=(0, 2, 3))
    torch.testing.assert_close(result["state"]["running_mean"], mean)
    var = state["running_var"]
    for x in xs:
        var = 0.9 * var + 0.1 * x.var(dim=(0, 2, 3), unbiased=False) * n / (n - 1)
    torch.testing.assert_close(result["state"]["running_var"], var)


# --- what the checks refuse ---------------------------------------------------------------------------------


def test_f_unfold_is_refused_as_unfold_but_tensor_unfold_is_allowed():
    """The guard's "unfold" family is F.unfold's ATen operation (im2col) and F.fold's (col2im), not the
    sliding-window view Tensor.unfold."""
    x = torch.randn(1, 2, 5, 5)
    with recording() as ops:
        F.fold(F.unfold(x, 2), (5, 5), 2)
    assert used_builtins(ops, ("unfold",)) == ["col2im", "im2col"]
    with recording() as ops:
        x.unfold(2, 2, 1).unfold(3, 2, 1)
    assert used_builtins(ops, ("unfold",)) == []


def test_the_solution_runs_only_its_own_functions_backward():
    """Between the solution network's output and its leaves autograd holds the solution's Functions and
    views only; a module computing with tensor operations is named."""
    model = solved_namespace()["OwnDigitsCNN"]()
    out = model(torch.rand(3, 1, 8, 8))
    assert checks.builtin_nodes(out) == (True, [])
    with pytest.raises(CheckFailure, match=r"not computed by your own backward \(autograd recorded MulBackward0"):
        checks.assert_own_function(torch.randn(3, requires_grad=True) * 2, "f(x)")


def test_a_module_whose_forward_is_right_but_backward_is_autograd_is_refused():
    """A module whose forward is right but computed with tensor operations (no Function of its own) is
    refused by its graph: autograd, not the student, would compute its gradients."""
    namespace = solved_namespace()

    class Wrapped(nn.Module):
        def __init__(self, in_features, out_features, bias=True):
            super().__init__()
            bound = in_features**-0.5
            self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
            self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

        def forward(self, X):
            return X @ self.weight.T + (self.bias if self.bias is not None else 0)

    with pytest.raises(CheckFailure, match="not computed by your own backward"):
        checks.check_OwnLinear.__wrapped__(Wrapped)
    assert namespace["OwnLinear"] is not Wrapped


def test_train_own_digits_names_a_wrong_network_first(monkeypatch):
    """The hidden check of train_own_digits trains the OwnDigitsCNN it is given, and says to fix it first
    when it fails its own check."""
    monkeypatch.setenv("AUTOGRADER_SEED", "3")
    namespace = solved_namespace()

    class Numbered(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Sequential(namespace["OwnConv2d"](1, 4, 3))

        def forward(self, x):
            return self.layer1(x)

    with pytest.raises(CheckFailure, match="fix OwnDigitsCNN first"):
        hidden.grade_train_own_digits.__wrapped__(namespace["train_own_digits"], Numbered)
    assert hidden.network_of(namespace["train_own_digits"]) is namespace["OwnDigitsCNN"]
    assert hidden.network_of(lambda model, epochs, lr: 0.0) is ref.DigitsTwin


def test_the_reliability_of_the_training_check_was_measured():
    """The benchmark's numbers are kept beside the check: 100 grading seeds, none below the threshold."""
    measured = hidden.MEASURED
    assert measured["seeds"] == 100 and measured["failures"] == 0
    assert measured["lowest"] >= hidden.THRESHOLD
    assert measured["seconds"] < 30  # per grading, well within nbgrader's 60 s per cell


# --- the numbers of the written answer -------------------------------------------------------------------------


def test_the_written_answers_sizes_and_winograds_count():
    """32 images of 64 channels at 56x56, a 3x3 kernel with padding 1 in float32: 25,690,112 bytes of input
    and 231,211,008 of columns (9 times); Winograd F(2x2, 3x3) multiplies 16 times instead of 36."""
    data, columns = ref.im2col_bytes((32, 64, 56, 56), 3, 1, 1, itemsize=4)
    assert (data, columns) == (25_690_112, 231_211_008)
    assert columns == 9 * data
    X = torch.zeros(1, 64, 56, 56)
    assert ref.im2col(X, 3, 1, 1).shape == (1, 576, 3136)
    assert (2 + 3 - 1) ** 2 == 16 and 2 * 2 * 3 * 3 == 36
    text = "".join(c for cell in answers.SOLUTIONS[ASSIGNMENT].cells for c in cell.source)
    for number in ("25,690,112", "231,211,008", "6{,}422{,}528", "57{,}802{,}752", "16 instead of 36"):
        assert number in text, number
    assert math.isclose(columns / 1e6, 231.2, abs_tol=0.05) and math.isclose(data / 1e6, 25.7, abs_tol=0.05)
