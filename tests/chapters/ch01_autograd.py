"""Chapter 1 (autograd): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    # mistake: a phrase its first failing check must say
    "vjp_accumulates": "called a second time (do gradients from the first call add up?)",
    "vjp_float32": "Expected dtype torch.float64",
}
