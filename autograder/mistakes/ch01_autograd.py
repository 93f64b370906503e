"""Wrong answers to chapter 1's ``vjp``."""

import torch

from autograder.mistakes import mistake


@mistake(
    "vjp",
    summary="backpropagates from the sum of the outputs, ignoring v",
    hint="backward() on a non-scalar output needs the vector v as its gradient argument; "
    "summing the outputs first is the same as using v = all ones.",
)
def vjp_ignores_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


@mistake(
    "vjp",
    summary="multiplies the gradient of the summed output by v elementwise",
    hint="Weighting the gradient by v afterwards is only right when f acts elementwise; "
    "v must weight the outputs before backpropagating: y.backward(gradient=v).",
)
def vjp_grad_times_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad * v


@mistake(
    "vjp",
    summary="calls backward on the caller's x, so gradients accumulate across calls",
    hint="backward() adds into x.grad: a second call (or a stale x.grad) adds up. Work on "
    "x.detach().requires_grad_() or zero the gradient before backpropagating.",
)
def vjp_accumulates(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad


@mistake(
    "vjp",
    summary="computes the Jacobian-vector product J v instead of v^T J",
    hint="backward(gradient=v) computes v^T J (a vector-Jacobian product); J v is a "
    "different quantity unless J is symmetric.",
)
def vjp_jacobian_times_v(f, x, v):
    J = torch.autograd.functional.jacobian(f, x).reshape(v.numel(), x.numel())
    return (J @ v.reshape(-1)).reshape(x.shape)


@mistake(
    "vjp",
    summary="converts x to float32, losing double precision",
    hint="Keep the input's dtype: x.detach().requires_grad_() rather than x.float() or "
    "torch.tensor(..., dtype=torch.float32).",
)
def vjp_float32(f, x, v):
    x = x.detach().float().requires_grad_(True)
    f(x).backward(v.float())
    return x.grad
