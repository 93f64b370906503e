"""What the reliability benchmarks share: the solution notebook's answers and timed gradings."""

import os
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from autograder.instructors.submissions import run_code_cells
from autograder.runtime.cases import SEED_VAR
from autograder.runtime.compare import CheckFailure

REPO = Path(__file__).resolve().parents[1]


def solution_namespace(assignment: str) -> dict:
    """The globals of the solution notebook's code cells (test cells left out), run here."""
    return run_code_cells(nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4))


def timed_gradings(grade: Callable[[Callable], None], answer: Callable, count: int) -> None:
    """Run the hidden check ``grade`` on ``answer`` for grading seeds 0 .. count - 1; print the
    failures and the time per grading."""
    failures, times = [], []
    previous = os.environ.get(SEED_VAR)
    try:
        for seed in range(count):
            os.environ[SEED_VAR] = str(seed)
            start = time.perf_counter()
            try:
                grade(answer)
            except CheckFailure as failure:
                failures.append(f"seed {seed}: {str(failure).splitlines()[0]}")
            times.append(time.perf_counter() - start)
    finally:
        if previous is None:
            os.environ.pop(SEED_VAR, None)
        else:
            os.environ[SEED_VAR] = previous
    print(f"{grade.__name__}, grading seeds 0..{count - 1}: {len(failures)} of {count} failed")
    for line in failures:
        print(f"    {line}")
    if times:
        print(f"  time per grading: mean {sum(times) / len(times):.2f} s, max {max(times):.2f} s")
