"""Chapter 7 (pooling): references against PyTorch, messages of typical mistakes, other
correct answers, seeds, and the notebook's points table."""

import math
import re
from functools import partial

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import mistake_failure
from answers import namespace as notebook_namespace
from course import REPO
from torch import nn

from autograder.chapters import mistakes_for
from autograder.chapters.ch07_pooling import checks as checks
from autograder.chapters.ch07_pooling import reference as ref
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch07_pooling"
EXERCISES = ["pool2d", "avg_pool2d", "max_pool_with_indices", "max_unpool", "adaptive_avg_pool2d"]
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


# ---------------------------------------------------------------------------------------
# The references agree with PyTorch's modules and with the chapter's formulas.


def test_pool2d_reference_defaults_the_stride_to_the_kernel():
    """stride=None is the kernel size, as in nn.MaxPool2d and nn.AvgPool2d."""
    X = torch.randn(2, 3, 7, 9)
    assert torch.equal(ref.pool2d(X, (2, 3)), nn.MaxPool2d((2, 3))(X))
    assert torch.equal(ref.pool2d(X, 3, None, 1, "avg"), nn.AvgPool2d(3, padding=1)(X))
    with pytest.raises(ValueError, match="mode must be"):
        ref.pool2d(X, 2, mode="min")


def test_max_pooling_pads_with_minus_infinity():
    """On negative values, max pooling with padding only reports real values."""
    X = -1 - torch.arange(16.0).reshape(1, 1, 4, 4)
    Y = ref.pool2d(X, 2, padding=1)
    assert Y.max() < 0 and set(Y.flatten().tolist()) <= set(X.flatten().tolist())


def test_max_unpool_reference_matches_the_module():
    """The reference unpools like nn.MaxUnpool2d, with a (H, W) or a full output size."""
    X = torch.randn(2, 3, 7, 9)
    Y, indices = ref.max_pool_with_indices(X, (2, 3))
    expected = nn.MaxUnpool2d((2, 3))(Y, indices, output_size=X.shape)
    assert torch.equal(ref.max_unpool(Y, indices, (7, 9)), expected)
    assert torch.equal(ref.max_unpool(Y, indices, X.shape), expected)
    positive = X.abs() + 0.1  # pooling the unpooled plane gives Y back when no maximum is below 0
    Y, indices = ref.max_pool_with_indices(positive, (2, 3))
    assert torch.equal(nn.MaxPool2d((2, 3))(ref.max_unpool(Y, indices, (7, 9))), Y)


@pytest.mark.parametrize("n, out", [(5, 3), (7, 3), (10, 4), (12, 4), (6, 6), (9, 1), (13, 5)])
def test_adaptive_bins_follow_floor_and_ceil(n, out):
    """The windows measured on the built-in start at floor(i n / out) and end at ceil((i + 1) n / out)."""
    expected = [(math.floor(i * n / out), math.ceil((i + 1) * n / out)) for i in range(out)]
    assert ref.adaptive_bins(n, out) == expected


def test_adaptive_reference_matches_the_bins():
    """Adaptive average pooling is the mean over the windows of adaptive_bins."""
    X = torch.randn(2, 3, 7, 10, dtype=torch.float64)
    Y = ref.adaptive_avg_pool2d(X, (3, 4))
    for i, (r0, r1) in enumerate(ref.adaptive_bins(7, 3)):
        for j, (c0, c1) in enumerate(ref.adaptive_bins(10, 4)):
            torch.testing.assert_close(Y[:, :, i, j], X[:, :, r0:r1, c0:c1].mean(dim=(-2, -1)))


def test_avg_pool2d_reference_divisors():
    """The chapter's border example: 4/9 at the corners, 1 without the padding, 4/3 with divisor 3."""
    ones = torch.ones(1, 1, 3, 3)
    assert ref.avg_pool2d(ones, 3, 1, 1)[0, 0, 0, 0].item() == pytest.approx(4 / 9)
    assert torch.equal(ref.avg_pool2d(ones, 3, 1, 1, count_include_pad=False), ones)
    assert torch.allclose(ref.avg_pool2d(torch.ones(1, 1, 4, 4), 2, divisor_override=3), torch.full((1, 1, 2, 2), 4 / 3))


# ---------------------------------------------------------------------------------------
# Messages of typical mistakes.


MESSAGES = {
    "pool2d_stride_defaults_to_one": "Expected shape (1, 1, 2, 2), got shape (1, 1, 3, 3).",
    "pool2d_across_channels": "Expected shape (1, 2, 2, 4), got shape (1, 1, 2, 4).",
    "pool2d_max_pads_zeros": "on X 2x3x4x5 holding negative numbers",
    "pool2d_avg_excludes_padding": "mode='avg') on X 2x3x4x5 holding negative numbers",
    "pool2d_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "avg_pool2d_always_clipped": "count_include_pad=True, divisor_override=None) on X = ones 1x1x3x3 is not right",
    "avg_pool2d_padding_always_counted": "count_include_pad=False, divisor_override=None) on X = ones 1x1x3x3",
    "avg_pool2d_divisor_ignored": "First wrong value at index (0, 0, 0, 0): expected 1.33333, got 1.",
    "avg_pool2d_stride_defaults_to_one": "Expected shape (1, 1, 2, 2), got shape (1, 1, 3, 3).",
    "max_pool_with_indices_window_index": "The indices of max_pool_with_indices(X, kernel_size=2)",
    "max_pool_with_indices_rows_times_H": "First wrong value at index (0, 0, 0, 0): expected 5, got 4.",
    "max_pool_with_indices_global": "The indices of max_pool_with_indices(X, kernel_size=(2, 2), stride=(2, 3))",
    "max_pool_with_indices_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "max_unpool_whole_tensor": "with Y = 1..16 as 2x2x2x2 (float64)",
    "max_unpool_divides_by_H": "raised IndexError: index 4 is out of bounds for dimension 2 with size 4",
    "max_unpool_doubles": "raised RuntimeError: index 18 is out of bounds for dimension 2 with size 16",
    "max_unpool_float32": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "max_unpool_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "adaptive_avg_pool2d_floor_end": "8 of 9 values differ",
    "adaptive_avg_pool2d_fixed_window": "9 of 9 values differ",
    "adaptive_avg_pool2d_axes_swapped": "adaptive_avg_pool2d(X, output_size=(3, 3)) on X = 0..34 as 1x1x5x7",
    "adaptive_avg_pool2d_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_mistake_message_names_the_problem(name):
    """The first failing check of a typical mistake says plainly what is wrong."""
    message = mistake_failure(name)
    assert message is not None and MESSAGES[name] in message, message


def test_wrong_index_dtype_is_named():
    """Indices that are not int64 fail with a message that says which dtype they must have."""
    solution = namespace()["max_pool_with_indices"]

    def int32_indices(X, kernel_size, stride=None):
        Y, indices = solution(X, kernel_size, stride)
        return Y, indices.int()

    assert "have dtype torch.int32; they must be torch.int64" in failure("max_pool_with_indices", int32_indices)
    assert "must return a pair (Y, indices)" in failure("max_pool_with_indices", lambda *args: solution(*args)[0])


def test_non_differentiable_unpool_fails_the_gradient_check():
    """An unpooling that goes through Python numbers passes the values but not the gradient."""
    source = '''
def max_unpool(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = torch.zeros(N, C, H * W, dtype=Y.dtype, device=Y.device)
    for n in range(N):
        for c in range(C):
            for q, v in zip(indices[n, c].flatten().tolist(), Y[n, c].flatten().tolist()):
                out[n, c, q] = v
    return out.reshape(N, C, H, W)
'''
    message = failure("max_unpool", namespace(max_unpool=source)["max_unpool"])
    assert message is not None and "is not differentiable in Y" in message, message


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("mistake", [m for e in EXERCISES for m in mistakes_for(e)], ids=lambda m: m.name)
def test_every_mistake_fails_whatever_the_seed(mistake, seed, monkeypatch):
    """No wrong answer depends on a lucky draw of the hidden cases."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    function = namespace(**{mistake.exercise: mistake.source})[mistake.exercise]
    assert failure(mistake.exercise, function) is not None, mistake.summary


@pytest.mark.parametrize("mistake", [m for e in EXERCISES for m in mistakes_for(e)], ids=lambda m: m.name)
def test_mistakes_fail_the_hidden_checks_too(mistake, monkeypatch):
    """A wrong answer that the visible checks catch is also caught by the hidden ones (a student
    who overfits the visible examples still loses points)."""
    monkeypatch.setenv("AUTOGRADER_SEED", "7")
    function = namespace(**{mistake.exercise: mistake.source})[mistake.exercise]
    with pytest.raises(CheckFailure):
        getattr(checks, f"grade_{mistake.exercise}")(function)


def _anchors(page: str) -> set[str]:
    """MyST's anchors of the headings of levels 1 to 3 of a book page (lowercase, punctuation
    dropped, spaces to hyphens)."""
    text = (REPO / "book" / f"{page}.md").read_text()
    titles = re.findall(r"^#{1,3} (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-") for title in titles}


def test_mistake_sections_are_headings_of_the_chapter():
    """Every hint links to a heading that exists in the chapter."""
    known = _anchors(ASSIGNMENT)
    assert "unpooling-what-comes-back" in known
    for exercise in EXERCISES:
        for m in mistakes_for(exercise):
            if m.section is not None:
                page, anchor = m.section.split("#")
                assert page == ASSIGNMENT and anchor in known, m.section


@pytest.mark.parametrize("seed", range(30))
def test_solution_passes_hidden_checks_for_many_seeds(seed, monkeypatch):
    """The tolerances and the random shapes never fail the instructor's solution."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    names = namespace()
    for exercise in EXERCISES:
        getattr(checks, f"grade_{exercise}")(names[exercise])


def test_hidden_failure_quotes_the_seed_and_the_inputs(monkeypatch):
    """A failed hidden check names its case, the grading seed and the shapes."""
    monkeypatch.setenv("AUTOGRADER_SEED", "4321")
    source = next(m.source for m in mistakes_for("max_unpool") if m.name == "max_unpool_float32")
    function = namespace(max_unpool=source)["max_unpool"]
    with pytest.raises(CheckFailure, match=r"Hidden check \d of \d failed \(grading seed 4321\), on Y \d+x\d+x\d+x\d+ "
                       r"\(torch.float64\) and indices from pooling X"):
        checks.grade_max_unpool(function)


# ---------------------------------------------------------------------------------------
# Other correct answers pass; handing in the course's code does not.


OTHER_CORRECT_ANSWERS = {
    "pool2d": '''
def pool2d(X, kernel_size, stride=None, padding=0, mode="max"):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride if stride is not None else kernel_size)
    ph, pw = as_pair(padding)
    N, C, H, W = X.shape
    fill = float("-inf") if mode == "max" else 0.0
    P = torch.full((N, C, H + 2 * ph, W + 2 * pw), fill, dtype=X.dtype, device=X.device)
    P[:, :, ph:ph + H, pw:pw + W] = X
    rows = (H + 2 * ph - kh) // sh + 1
    cols = (W + 2 * pw - kw) // sw + 1
    out = []
    for i in range(rows):
        line = []
        for j in range(cols):
            window = P[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(N, C, -1)
            line.append(window.max(dim=-1).values if mode == "max" else window.mean(dim=-1))
        out.append(torch.stack(line, dim=-1))
    return torch.stack(out, dim=-2)
''',
    "max_unpool": '''
def max_unpool(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = Y.new_zeros(N, C, H, W)
    n = torch.arange(N, device=Y.device).view(N, 1, 1, 1).expand_as(indices)
    c = torch.arange(C, device=Y.device).view(1, C, 1, 1).expand_as(indices)
    return out.index_put((n, c, indices // W, indices % W), Y)
''',
    "max_pool_with_indices": '''
def max_pool_with_indices(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    flat = torch.arange(H * W, device=X.device).reshape(1, 1, H, W).expand(N, C, H, W)
    values = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)
    where = flat.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)
    k = values.argmax(dim=-1, keepdim=True)
    return values.gather(-1, k)[..., 0], where.gather(-1, k)[..., 0]
''',
    "adaptive_avg_pool2d": '''
import math

def adaptive_avg_pool2d(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[-2:]
    out = torch.zeros(*X.shape[:2], h, w, dtype=X.dtype, device=X.device)
    for i in range(h):
        for j in range(w):
            rows = slice(math.floor(i * H / h), math.ceil((i + 1) * H / h))
            cols = slice(math.floor(j * W / w), math.ceil((j + 1) * W / w))
            out[:, :, i, j] = X[:, :, rows, cols].mean(dim=(-2, -1))
    return out
''',
    "avg_pool2d": '''
def avg_pool2d(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    H, W = X.shape[2:]
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if divisor_override:
        return sums / divisor_override
    if count_include_pad:
        return sums / (kh * kw)
    rows = torch.tensor([min(i * sh + kh, H + ph) - max(i * sh, ph) for i in range(sums.shape[2])])
    cols = torch.tensor([min(j * sw + kw, W + pw) - max(j * sw, pw) for j in range(sums.shape[3])])
    return sums / (rows[:, None] * cols[None, :]).to(X.device, X.dtype)
''',
}


@pytest.mark.parametrize("exercise", sorted(OTHER_CORRECT_ANSWERS))
def test_other_correct_answers_pass(exercise):
    """Checks accept any correct answer, not only the instructor's."""
    function = namespace(**{exercise: OTHER_CORRECT_ANSWERS[exercise]})[exercise]
    assert failure(exercise, function) is None


@pytest.mark.parametrize("exercise", EXERCISES)
def test_handing_in_the_reference_fails(exercise):
    """The course's own pooling references earn nothing."""
    message = failure(exercise, getattr(ref, exercise))
    assert message is not None and "called the course's own implementation" in message


def test_pooling_with_the_built_in_module_is_caught():
    """nn.MaxPool2d, not only F.max_pool2d, runs an operation of the pooling family."""
    def pool2d(X, kernel_size, stride=None, padding=0, mode="max"):
        layer = nn.MaxPool2d if mode == "max" else nn.AvgPool2d
        return layer(kernel_size, stride, padding)(X)

    assert "built-in pooling" in failure("pool2d", pool2d)
    assert F.max_pool2d is not None  # the module is imported for the mistakes' namespace


# ---------------------------------------------------------------------------------------
# The notebook
