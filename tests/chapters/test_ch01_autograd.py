"""Chapter 1 (autograd): what the checks of vjp say when an answer changes the caller's x, and
which shapes the hidden cases use. The generic tests read the chapter's table,
tests/chapters/ch01_autograd.py."""

import answers
import torch
from answers import failure

from autograder.chapters.ch01_autograd import hidden

ASSIGNMENT = "ch01_autograd"


def test_vjp_that_replaces_the_callers_gradient_is_told_so():
    """An answer that backpropagates into the caller's x when it requires grad gives the right
    values (it clears x.grad first) but replaces the gradient the caller stored there."""
    namespace = answers.solved_namespace(ASSIGNMENT)
    exec(
        "def vjp(f, x, v):\n"
        "    leaf = x if x.requires_grad else x.detach().requires_grad_(True)\n"
        "    leaf.grad = None\n"
        "    f(leaf).backward(v)\n"
        "    return leaf.grad\n",
        namespace,
    )
    message = failure("vjp", namespace, kinds=(0,))
    assert (
        "changed its input x: before the call x had requires_grad=True and x.grad = 100 everywhere, "
        "after it requires_grad=True and a new x.grad."
    ) in message, message


def test_hidden_vjp_cases_use_a_square_and_a_non_square_x(monkeypatch):
    """Square and non-square inputs, in float32 and float64, beside the stated properties."""
    shapes = []
    monkeypatch.setattr(hidden, "_assert_vjp", lambda vjp, f, x, v, expected: shapes.append((x.shape, x.dtype)))
    monkeypatch.setattr(hidden, "assert_vjp_properties", lambda *args: shapes.append(None))
    hidden.grade_vjp(None)
    assert any(shape[0] == shape[1] for shape, _ in filter(None, shapes))
    assert any(shape[0] != shape[1] for shape, _ in filter(None, shapes))
    assert {dtype for _, dtype in filter(None, shapes)} >= {torch.float32, torch.float64}
    assert shapes[-1] is None


# --- numbers in the chapter's prose and its check-yourself answers (issue 16) ----------------


def _f(a):
    a0, a1 = a[0, 0], a[0, 1]
    return 2 * torch.stack([a0**2 + a1, a1**2 + a0]).reshape(1, 2)


def test_chapter_numbers():
    """v^T J = [12, 34] at a = [2, 4] with v = [1, 2]; a second backward doubles it to [24, 68] (glued),
    a third gives [36, 102]; J at [1, 3] is [[4, 2], [2, 12]]; v = [1, 0] picks [8, 2]; d(c x)/dx = c."""
    a = torch.tensor([[2.0, 4.0]], requires_grad=True)
    v = torch.tensor([[1.0, 2.0]])
    expected = ([12.0, 34.0], [24.0, 68.0], [36.0, 102.0])
    for total in expected:
        _f(a).backward(gradient=v)
        assert a.grad.flatten().tolist() == total
    J = torch.autograd.functional.jacobian(_f, torch.tensor([[1.0, 3.0]])).reshape(2, 2)
    assert J.tolist() == [[4.0, 2.0], [2.0, 12.0]]
    a.grad = None
    _f(a).backward(gradient=torch.tensor([[1.0, 0.0]]))
    assert a.grad.flatten().tolist() == [8.0, 2.0]
    x = torch.tensor(3.0, requires_grad=True)
    (x.detach() * x).backward()
    assert x.grad.item() == 3.0
    assert torch.autograd.functional.jacobian(lambda t: t.sum(dim=0), torch.zeros(2, 2)).shape == (2, 2, 2)
