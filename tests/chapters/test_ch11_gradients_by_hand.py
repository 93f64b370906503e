"""Chapter 11 (gradients by hand): the references against autograd and the chapter's formulas,
PyTorch's choice among tied maxima, the guard against autograd inside a backward, the hidden
cases' shapes, and the chapter's numbers recomputed. The generic tests (messages, seeds, other
correct answers, the references handed in, the hints' sections, the stated properties and their
variants) read the chapter's table, tests/chapters/ch11_gradients_by_hand.py."""

from functools import partial

import pytest
import torch
import torch.nn.functional as F
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace

from autograder.chapters import all_mistakes
from autograder.chapters.ch11_gradients_by_hand import hidden
from autograder.chapters.ch11_gradients_by_hand import reference as ref
from autograder.runtime import blocks
from autograder.runtime.cases import SEED_VAR

ASSIGNMENT = "ch11_gradients_by_hand"
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals
F64 = torch.float64


# ---------------------------------------------------------------------------------------
# The references and the notebook's forward


def test_the_notebooks_convolution_is_the_built_in_one():
    """The given conv2d (from scratch) computes F.conv2d, with pair strides and paddings."""
    conv2d = namespace()["conv2d"]
    X, K, b = torch.randn(2, 3, 7, 6, dtype=F64), torch.randn(4, 3, 3, 2, dtype=F64), torch.randn(4, dtype=F64)
    for stride, padding in ((1, 0), (2, 1), ((2, 3), (1, 2)), ((3, 1), (0, 2))):
        want = F.conv2d(X, K, b, stride, padding)
        assert torch.allclose(conv2d(X, K, b, stride, padding), want, atol=1e-12)


def test_numerical_gradient_reference_is_close_to_autograd_and_leaves_x_alone():
    x = torch.randn(3, 4, dtype=F64)
    before = x.clone()
    grad = ref.numerical_gradient(lambda t: (t.sin() * t.sum()).sum(), x)
    leaf = x.clone().requires_grad_(True)
    (exact,) = torch.autograd.grad((leaf.sin() * leaf.sum()).sum(), leaf)
    assert torch.equal(x, before) and (grad - exact).abs().max() < 1e-8


def test_relative_error_reference_follows_cs231n():
    """max |a - b| / max(1e-8, |a| + |b|): a pair of zeros counts as 0, opposite signs as 1."""
    a = torch.tensor([1.0, 2.0, 0.0, -3.0, 0.5])
    b = torch.tensor([1.5, 2.0, 0.0, -3.3, -0.5])
    assert ref.relative_error(a, b).item() == pytest.approx(1.0)
    assert ref.relative_error(a[:4], b[:4]).item() == pytest.approx(0.2)
    assert ref.relative_error(torch.zeros(3), torch.zeros(3)).item() == 0.0


def test_input_gradient_is_a_transposed_convolution_and_kernel_gradient_a_correlation():
    """The chapter's claims: dX = conv_transpose2d(dY, K) (with output_padding for unread rows),
    dK = the padded X correlated with dY dilated by the stride, summed over the batch."""
    X, K = torch.randn(2, 3, 8, 7, dtype=F64), torch.randn(4, 3, 3, 2, dtype=F64)
    for stride, padding in ((1, 0), (2, 1), ((2, 3), (1, 2))):
        (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
        dY = torch.randn_like(F.conv2d(X, K, stride=stride, padding=padding))
        dX, dK, db = ref.conv2d_backward(dY, X, K, stride, padding)
        Ho, Wo = dY.shape[2:]
        extra = ((8 + 2 * ph - 3) - sh * (Ho - 1), (7 + 2 * pw - 2) - sw * (Wo - 1))
        assert torch.allclose(F.conv_transpose2d(dY, K, None, stride, padding, extra), dX, atol=1e-12)
        Xp = F.pad(X, (pw, pw, ph, ph)).transpose(0, 1)
        corr = F.conv2d(Xp, dY.transpose(0, 1), dilation=stride).transpose(0, 1)[:, :, :3, :2]
        assert torch.allclose(corr, dK, atol=1e-12)
        assert torch.allclose(db, dY.sum(dim=(0, 2, 3)))


def test_the_worked_example_and_its_unflipped_kernel():
    """Section "The gradient of a cross-correlation": dX, dK, db of chapter 2's example, and the
    Check-yourself answer that the unflipped kernel gives dX rotated by 180 degrees."""
    X, K = torch.arange(9.0).reshape(1, 1, 3, 3), torch.tensor([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)
    dX, dK, db = ref.conv2d_backward(torch.ones(1, 1, 2, 2), X, K)
    assert dX[0, 0].tolist() == [[0, 1, 1], [2, 6, 4], [2, 5, 3]]
    assert dK[0, 0].tolist() == [[8, 12], [20, 24]] and db.tolist() == [4]
    unflipped = F.conv2d(F.pad(torch.ones(1, 1, 2, 2), (1, 1, 1, 1)), K)
    assert unflipped[0, 0].tolist() == [[3, 5, 2], [4, 6, 2], [1, 1, 0]]
    assert torch.equal(unflipped, dX.flip(2, 3))


def test_the_stride_figure_leaves_the_unread_row_and_column_at_zero():
    X, K = torch.arange(25.0).reshape(1, 1, 5, 5), torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    dY = torch.tensor([[1.0, -1.0], [2.0, 1.0]]).reshape(1, 1, 2, 2)
    dX, _, _ = ref.conv2d_backward(dY, X, K, stride=2)
    assert dX[0, 0, 4].abs().sum() == 0 and dX[0, 0, :, 4].abs().sum() == 0
    assert dX[0, 0, :2, :2].tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("device", ["cpu", *(["cuda"] if torch.cuda.is_available() else [])])
def test_pytorch_sends_a_tied_maximum_gradient_to_the_first_one(device):
    """The text of exercise 11.4 and section "Pooling backwards": on ties, max pooling's gradient
    goes to the window's first maximum in row-major order, as argmax picks it."""
    X = torch.tensor([[1.0, 3.0, 3.0], [3.0, 2.0, 3.0], [0.0, 3.0, 1.0]], device=device).reshape(1, 1, 3, 3)
    dX = ref.max_pool2d_backward(torch.ones(1, 1, 2, 2, device=device), X, 2, 1)
    assert dX[0, 0].tolist() == [[0, 2, 0], [1, 0, 1], [0, 0, 0]]
    ties = torch.randint(0, 3, (2, 3, 9, 8), device=device).double()
    windows = ties.unfold(2, 3, 2).unfold(3, 2, 1).flatten(-2)
    first = windows.argmax(dim=-1)
    assert (windows.gather(-1, first[..., None])[..., 0] == windows.amax(dim=-1)).all()
    assert (windows[..., :-1] == windows.amax(dim=-1, keepdim=True)).any()  # there are ties
    solution = namespace()["max_pool2d_backward"]
    dY = torch.randn(2, 3, 4, 7, dtype=F64, device=device)
    assert torch.equal(solution(dY, ties, (3, 2), (2, 1)), ref.max_pool2d_backward(dY, ties, (3, 2), (2, 1)))


def test_average_pooling_corner_answer():
    """Check yourself: 3x3 average pooling, stride 1, padding 1, on 4x4, dY ones: the corner gets 4/9."""
    dX = ref.avg_pool2d_backward(torch.ones(1, 1, 4, 4, dtype=F64), (1, 1, 4, 4), 3, 1, 1)
    assert dX[0, 0, 0, 0].item() == pytest.approx(4 / 9)
    assert (ref.avg_pool2d_backward(torch.ones(1, 1, 2, 2), (1, 1, 3, 3), 2, 1)[0, 0] * 4).tolist() == [
        [1, 2, 1],
        [2, 4, 2],
        [1, 2, 1],
    ]


def test_batch_norm_compact_form_and_a_constant_gradient():
    """The compact form matches autograd for (N, C) and (N, C, H, W); a dY constant per channel
    gives dX = 0 (Check yourself)."""
    solution = namespace()["batch_norm_backward"]
    for shape in ((7, 3), (4, 3, 2, 5)):
        X, gamma = torch.randn(*shape, dtype=F64) * 3 + 1, torch.randn(3, dtype=F64)
        dY = torch.randn(*shape, dtype=F64)
        for got, want in zip(solution(dY, X, gamma), ref.batch_norm_backward(dY, X, gamma)):
            assert torch.allclose(got, want, atol=1e-12)
        constant = torch.ones(*shape, dtype=F64) * 2.5
        assert ref.batch_norm_backward(constant, X, gamma)[0].abs().max() < 1e-12


# ---------------------------------------------------------------------------------------
# The guard, and what the hidden checks cover


@pytest.mark.parametrize(
    "call",
    [
        "Y.backward(dY)",
        "torch.autograd.backward(Y, dY)",
        "torch.autograd.grad(Y, (X_, K_), dY)",
    ],
)
def test_every_way_into_autograd_inside_a_backward_is_refused(call):
    """A backward that runs autograd, by any of its doors, is not from scratch."""
    source = (
        "def conv2d_backward(dY, X, K, stride=1, padding=0):\n"
        "    with torch.enable_grad():\n"
        "        X_, K_ = X.detach().requires_grad_(True), K.detach().requires_grad_(True)\n"
        "        b_ = torch.zeros(K.shape[0], dtype=K.dtype, device=K.device, requires_grad=True)\n"
        "        Y = conv2d(X_, K_, b_, stride, padding)\n"
        f"        {call}\n"
        "    return X_.grad, K_.grad, dY.sum(dim=(0, 2, 3))\n"
    )
    if "grad(" in call:
        source = source.replace(f"        {call}\n", "        dX, dK = " + call + "\n").replace(
            "return X_.grad, K_.grad", "return dX, dK"
        )
    answer = namespace(conv2d_backward=source)["conv2d_backward"]
    message = failure("conv2d_backward", answer, kinds=(0,), diagnose=False)
    assert message is not None and "must be written from scratch" in message, message


BLOCK_ANSWERS = {
    "conv2d_backward": "from autograder.runtime.blocks import conv2d_backward\n",
    "max_pool2d_backward": "from autograder.runtime.blocks import max_pool2d_backward\n",
    "batch_norm_backward": "from autograder.runtime.blocks import batch_norm_backward\n",
    "Conv2dFunction": (
        "from autograder.runtime.blocks import conv2d_backward as block\n"
        "class Conv2dFunction(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, X, K, b, stride=1, padding=0):\n"
        "        ctx.save_for_backward(X, K)\n"
        "        ctx.stride, ctx.padding = stride, padding\n"
        "        return conv2d(X, K, b, stride, padding)\n"
        "    @staticmethod\n"
        "    def backward(ctx, dY):\n"
        "        return *block(dY, *ctx.saved_tensors, ctx.stride, ctx.padding), None, None\n"
    ),
}


@pytest.mark.parametrize("exercise", sorted(BLOCK_ANSWERS))
def test_chapter_12s_finished_blocks_are_refused_here(exercise):
    """Chapter 12 imports this chapter's backwards as finished blocks; here they are the exercise."""
    answer = namespace(**{exercise: BLOCK_ANSWERS[exercise]})[exercise]
    message = failure(exercise, answer, kinds=(0,), diagnose=False)
    assert message is not None and "called the course's own implementation (blocks." in message, message


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((2, 3), (1, 2)), ((3, 1), (0, 2))])
def test_the_finished_blocks_are_this_chapters_references(stride, padding):
    """autograder.runtime.blocks' backwards (PyTorch's gradients, no autograd) equal the references."""
    X, K = torch.randn(3, 4, 9, 7, dtype=F64), torch.randn(5, 4, 3, 2, dtype=F64)
    dY = torch.randn_like(F.conv2d(X, K, stride=stride, padding=padding))
    for got, want in zip(
        blocks.conv2d_backward(dY, X, K, stride, padding), ref.conv2d_backward(dY, X, K, stride, padding)
    ):
        assert torch.allclose(got, want, atol=1e-12)
    ties = torch.randint(0, 3, (2, 3, 7, 9), dtype=F64)  # many tied maxima
    kernel = (2, 3) if isinstance(stride, int) else stride
    dY = torch.randn_like(F.max_pool2d(ties, kernel, stride))
    assert torch.equal(
        blocks.max_pool2d_backward(dY, ties, kernel, stride), ref.max_pool2d_backward(dY, ties, kernel, stride)
    )
    for shape in ((6, 4), (3, 4, 5, 2)):
        X, gamma = torch.randn(*shape, dtype=F64), torch.randn(4, dtype=F64)
        dY = torch.randn_like(X)
        for got, want in zip(
            blocks.batch_norm_backward(dY, X, gamma, 1e-3), ref.batch_norm_backward(dY, X, gamma, 1e-3)
        ):
            assert torch.allclose(got, want, atol=1e-12)


def test_hidden_conv_cases_cover_strides_padding_and_unread_rows(monkeypatch):
    """Over a few seeds the hidden cases of conv2d_backward hold N > 1, Ci != Co, H != W, a stride
    larger than the kernel, padding, and padded rows that no window reads."""
    seen = []
    monkeypatch.setattr(hidden, "_assert_conv", lambda fn, args: seen.append(args))
    monkeypatch.setattr(hidden, "_assert_conv_numeric", lambda fn, args: None)
    monkeypatch.setattr(hidden, "assert_stated", lambda *args: None)
    for seed in range(5):
        monkeypatch.setenv(SEED_VAR, str(seed))
        hidden.grade_conv2d_backward.__wrapped__(lambda *args: None)
    pairs = [(args, [(v, v) if isinstance(v, int) else v for v in args[3:]]) for args in seen]
    assert all(X.shape[0] > 1 and X.shape[1] != K.shape[0] for (_, X, K, *_), _ in pairs)
    assert any(X.shape[2] != X.shape[3] for (_, X, *_), _ in pairs)
    assert any(s[0] > K.shape[2] for (_, _, K, *_), (s, _) in pairs)
    assert any(p[0] > 0 and p[1] > 0 for _, (_, p) in pairs)
    unread = [(X.shape[2] + 2 * p[0] - K.shape[2]) % s[0] for (_, X, K, *_), (s, p) in pairs]
    assert any(unread)


# ---------------------------------------------------------------------------------------
# The chapter's numbers, recomputed (issue 16: glued numbers)


def _cube_sum(x):
    return (x**3).sum()


X_CUBE = torch.tensor([[1.0, 2.0, -3.0], [-1.0, 0.5, 1.5]], dtype=F64)


def test_numeric_gradient_errors_of_the_chapter():
    """Section "Checking a gradient with numbers": at eps = 1e-6, central differences in float64
    are off by about 1e-9, one-sided ones by 9e-6 (eps/2 * 6|x| at x = -3), central ones in
    float32 by more than 0.1."""
    exact = 3 * X_CUBE**2
    central = (ref.numerical_gradient(_cube_sum, X_CUBE) - exact).abs().max().item()
    flat, base = X_CUBE.clone().reshape(-1), _cube_sum(X_CUBE).item()
    one_sided = []
    for i in range(6):
        flat[i] += 1e-6
        one_sided.append((_cube_sum(flat).item() - base) / 1e-6)
        flat[i] = X_CUBE.reshape(-1)[i]
    one_sided = (torch.tensor(one_sided, dtype=F64).reshape(2, 3) - exact).abs().max().item()
    float32 = (ref.numerical_gradient(_cube_sum, X_CUBE.float()) - exact.float()).abs().max().item()
    assert central < 1e-8
    assert 8.5e-6 < one_sided < 9.5e-6
    assert float32 > 0.1


def test_check_yourself_numbers_of_the_numeric_section():
    """eps = 1e-3, f = x^3 at x = 2: one-sided error 0.006001, central error 1e-6."""
    eps, x = 1e-3, 2.0
    assert ((x + eps) ** 3 - x**3) / eps - 12 == pytest.approx(0.006001, rel=1e-6)
    assert ((x + eps) ** 3 - (x - eps) ** 3) / (2 * eps) - 12 == pytest.approx(1e-6, rel=1e-4)


def test_formula_gaps_of_the_chapter_are_rounding():
    """The gaps the chapter glues (convolution, batch norm) are rounding: below 1e-12 in float64,
    and gradcheck passes on the chapter's Cube Function."""

    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, dy):
            (x,) = ctx.saved_tensors
            return dy * 3 * x**2

    assert torch.autograd.gradcheck(Cube.apply, (torch.randn(5, dtype=F64, requires_grad=True),))
    X, gamma = torch.randn(6, 3, 4, 5, dtype=F64) * 2 + 1, torch.tensor([1.5, -0.5, 2.0], dtype=F64)
    dX, _, _ = ref.batch_norm_backward(torch.randn_like(X), X, gamma)
    assert dX.sum(dim=(0, 2, 3)).abs().max() < 1e-12


def test_jacobian_sizes_quoted_in_the_chapter():
    assert (64 * 64 * 32) ** 2 == pytest.approx(1.7e10, rel=0.02)
    assert (8 * 16 * 30 * 30) * (8 * 3 * 32 * 32) == pytest.approx(2.8e9, rel=0.02)


def test_a_function_whose_backward_fails_its_own_check_says_so():
    """The diagnosis reads an autograd Function's static methods: Conv2dFunction on a wrong
    conv2d_backward sends the student to conv2d_backward first."""
    wrong = next(m for m in all_mistakes() if m.name == "conv2d_backward_db_mean").source
    answer = namespace(conv2d_backward=wrong)["Conv2dFunction"]
    message = failure("Conv2dFunction", answer, kinds=(0,))
    assert "Your Conv2dFunction calls your conv2d_backward, which fails its own visible check" in message, message
