"""Shared machinery of the hidden checks: seeded cases and messages that locate a failure."""

import contextlib
from collections.abc import Iterator

from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure


@contextlib.contextmanager
def hidden_case(cases: Cases, number: int, total: int, inputs: str) -> Iterator[None]:
    """Prefix any check failure inside the block with the case number, seed and inputs."""
    try:
        yield
    except CheckFailure as failure:
        raise CheckFailure(
            f"Hidden check {number} of {total} failed (grading seed {cases.seed}), on {inputs}.\n{failure}"
        ) from None
