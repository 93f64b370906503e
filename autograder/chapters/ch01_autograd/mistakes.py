"""Wrong answers to chapter 1's ``vjp``."""

import torch

from autograder.runtime.mistakes import mistake


@mistake(
    "vjp",
    summary="backpropagates from the sum of the outputs, ignoring v",
    hint="backward() on a non-scalar output needs the vector v as its gradient argument; "
    "summing the outputs first is the same as using v = all ones.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_ignores_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


@mistake(
    "vjp",
    summary="multiplies the gradient of the summed output by v elementwise",
    hint="Weighting the gradient by v afterwards is only right when f acts elementwise; v must "
    "weight the outputs before backpropagating, and that is what the gradient argument of "
    "backward() is for.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_grad_times_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad * v


@mistake(
    "vjp",
    summary="calls backward on the caller's x, so gradients accumulate across calls",
    hint="backward() adds into x.grad, so a second call, or a gradient already stored in the "
    "caller's x, adds to your result. Differentiate with respect to a fresh leaf of your own "
    "(detach() gives one) rather than the caller's tensor.",
    section="ch01_autograd#gradients-accumulate",
)
def vjp_accumulates(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad


@mistake(
    "vjp",
    summary="computes the Jacobian-vector product J v instead of v^T J",
    hint="The vector-Jacobian product v^T J weights each row of J (the gradient of one output "
    "entry) by v and adds the rows up; J v combines the columns instead, a different vector "
    "unless J is symmetric. backward() with v as its gradient argument gives v^T J without "
    "building J.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_jacobian_times_v(f, x, v):
    J = torch.autograd.functional.jacobian(f, x).reshape(v.numel(), x.numel())
    return (J @ v.reshape(-1)).reshape(x.shape)


@mistake(
    "vjp",
    summary="converts x to float32, losing double precision",
    hint="x.float() (or a new tensor with dtype=torch.float32) throws away the precision of a "
    "float64 input, and the gradient comes back float32. Make the leaf you differentiate from "
    "x without converting it, so that it keeps x's dtype.",
    section="ch01_autograd#keeping-computations-out-of-the-graph",
)
def vjp_float32(f, x, v):
    x = x.detach().float().requires_grad_(True)
    f(x).backward(v.float())
    return x.grad
