"""Random inputs for hidden checks, drawn from a seed chosen when grading starts.

The seed comes from ``$AUTOGRADER_SEED`` when it is set (to reproduce a grading run) and
is otherwise fresh for every run, so no fixed set of hidden inputs can be memorised.
Failure messages quote the seed so that a run can be repeated exactly.
"""

import contextlib
import contextvars
import os
import random
import secrets
from collections.abc import Iterator

import torch

from autograder.runtime.device import device

SEED_VAR = "AUTOGRADER_SEED"
_pinned: contextvars.ContextVar[int | None] = contextvars.ContextVar("pinned_seed", default=None)


def grading_seed() -> int:
    """Return the pinned seed (see :func:`pinned_seed`), else ``$AUTOGRADER_SEED`` if set,
    else a new random seed."""
    if (pinned := _pinned.get()) is not None:
        return pinned
    value = os.environ.get(SEED_VAR, "").strip()
    return int(value) if value else secrets.randbelow(2**31)


@contextlib.contextmanager
def pinned_seed(seed: int | None) -> Iterator[None]:
    """Inside the block, every :class:`Cases` draws from ``seed`` (None: no change), so that
    a check run again sees the same random inputs."""
    token = _pinned.set(seed) if seed is not None else None
    try:
        yield
    finally:
        if token is not None:
            _pinned.reset(token)


class Cases:
    """A seeded source of random sizes and tensors on the course device."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = grading_seed() if seed is None else seed
        self.rng = random.Random(self.seed)
        self.generator = torch.Generator().manual_seed(self.seed)
        self.device = device()

    def size(self, low: int, high: int) -> int:
        """A random integer in ``[low, high]``."""
        return self.rng.randint(low, high)

    def distinct_sizes(self, low: int, high: int) -> tuple[int, int]:
        """Two different random integers in ``[low, high]`` (e.g. H != W)."""
        first, second = self.rng.sample(range(low, high + 1), 2)
        return first, second

    def randn(self, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """Standard normal values of ``shape`` on the course device."""
        values = torch.randn(*shape, generator=self.generator, dtype=torch.float64)
        return values.to(device=self.device, dtype=dtype)
