"""Wrong answers to chapter 1's ``vjp``, and answers right on the values that break a property
the exercise states (``@breaks``)."""

import torch

from autograder.runtime.mistakes import breaks, mistake


@mistake(
    "vjp",
    summary="backpropagates from the sum of the outputs, ignoring v",
    hint="The result is what v = all ones would give, so v did not weight the outputs: backward() "
    "on a non-scalar output takes v as its gradient argument, and summing the outputs first "
    "(or passing ones) leaves v out.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_ignores_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad


@mistake(
    "vjp",
    summary="multiplies the gradient of the summed output by v elementwise",
    hint="The result equals the gradient of the summed outputs times v entry by entry, which is "
    "only right when f acts elementwise (here an output mixes several inputs). v must weight the "
    "outputs before backpropagating, and that is what the gradient argument of backward() is for.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_grad_times_v(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad * v


@mistake(
    "vjp",
    summary="gradients add up across calls (backward on the caller's x)",
    hint="A second call returned more than the first, because gradients from earlier calls (or "
    "one stored in the caller's x.grad) added up: backward() adds into .grad. Differentiate with "
    "respect to a fresh leaf of your own (detach() gives one) rather than the caller's tensor.",
    section="ch01_autograd#gradients-accumulate",
)
def vjp_accumulates(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad


@mistake(
    "vjp",
    summary="computes the Jacobian-vector product J v instead of v^T J",
    hint="The result is J v, which combines the columns of the Jacobian J, where v^T J weights "
    "each row (the gradient of one output entry) by v and adds the rows up; the two differ unless "
    "J is symmetric, and backward() with v as its gradient argument gives v^T J without building J.",
    section="ch01_autograd#backward-on-a-non-scalar-output",
)
def vjp_jacobian_times_v(f, x, v):
    J = torch.autograd.functional.jacobian(f, x).reshape(v.numel(), x.numel())
    return (J @ v.reshape(-1)).reshape(x.shape)


@mistake(
    "vjp",
    summary="returns a float32 gradient for a float64 x",
    hint="Given float64 inputs, the gradient came back float32: the leaf it was computed for was "
    "float32 (as after x.float(), or for a new tensor built without a dtype). Make the leaf from x "
    "without converting it, so that it keeps x's dtype.",
    section="ch01_autograd#keeping-computations-out-of-the-graph",
)
def vjp_float32(f, x, v):
    x = x.detach().float().requires_grad_(True)
    f(x).backward(v.float())
    return x.grad


# ---------------------------------------------------------------------------------------
# Right on the values, but breaking a stated property


@breaks("vjp", "dtype")
def vjp_leaf_from_list(f, x, v):
    x = torch.tensor(x.tolist(), device=x.device, requires_grad=True)
    f(x).backward(v)
    return x.grad


@breaks("vjp", "device")
def vjp_leaf_on_default_device(f, x, v):
    x = torch.tensor(x.tolist(), dtype=x.dtype, requires_grad=True)
    f(x).backward(v)
    return x.grad


@breaks("vjp", "unchanged")
def vjp_clears_callers_grad(f, x, v):
    x.grad = None
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad
