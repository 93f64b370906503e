"""Chapter 1 (autograd): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    # mistake: a phrase its first failing check must say
    "vjp_accumulates": "called a second time (do gradients from the first call add up?)",
    "vjp_float32": "does not keep the input's dtype: given float64 inputs, it returned a torch.float32 tensor.",
}

OTHER_CORRECT_ANSWERS = {
    "vjp": {
        # torch.autograd.grad returns the gradient without storing it in any .grad
        "autograd.grad": (
            "def vjp(f, x, v):\n"
            "    x = x.detach().requires_grad_(True)\n"
            "    return torch.autograd.grad(f(x), x, v)[0]\n"
        ),
        # a leaf copied from x (clone) rather than sharing its memory (detach)
        "clone": (
            "def vjp(f, x, v):\n"
            "    leaf = x.detach().clone().requires_grad_(True)\n"
            "    f(leaf).backward(v)\n"
            "    return leaf.grad\n"
        ),
    },
}

# vjp returns a gradient: it is not differentiable itself (backward builds no graph of its
# own computation), and a later chapter never trains through it.
PROPERTIES = {"vjp": ("dtype", "device", "unchanged")}
