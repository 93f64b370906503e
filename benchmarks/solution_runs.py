"""What the reliability benchmarks share: the solution notebook's answers and timed gradings."""

import os
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import torch

from autograder.instructors.submissions import run_code_cells
from autograder.runtime.cases import SEED_VAR
from autograder.runtime.compare import CheckFailure

REPO = Path(__file__).resolve().parents[1]


def solution_namespace(assignment: str) -> dict:
    """The globals of the solution notebook's code cells (test cells left out), run here."""
    return run_code_cells(nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4))


def accuracy_runs(run: Callable[[int], float], seeds: int, threshold: float, what: str) -> None:
    """Print the test accuracies ``run(seed)`` of the hidden check's training run ``what`` for grading
    seeds 0 .. seeds - 1: the lowest, 1st percentile, median and highest, how many fall below
    ``threshold``, and the time per run."""
    start = time.perf_counter()
    values = torch.tensor([run(seed) for seed in range(seeds)], dtype=torch.float64)
    elapsed = time.perf_counter() - start
    failures = int((values < threshold).sum())
    print(f"hidden training run, grading seeds 0..{seeds - 1} ({what}):")
    print(
        f"  test accuracy: lowest {values.min():.4f}, 1st percentile {values.quantile(0.01):.4f}, "
        f"median {values.median():.4f}, highest {values.max():.4f}"
    )
    print(f"  below {threshold}: {failures} of {seeds} ({failures / seeds:.2%})")
    print(f"  time per run: {elapsed / seeds:.2f} s")


def timed_gradings(grade: Callable[..., None], answer: Callable, count: int, *more: Callable) -> None:
    """Run the hidden check ``grade`` on ``answer`` (and ``more`` answers it takes, as the notebook's
    hidden cell passes them) for grading seeds 0 .. count - 1; print the failures and the time per
    grading."""
    failures, times = [], []
    previous = os.environ.get(SEED_VAR)
    try:
        for seed in range(count):
            os.environ[SEED_VAR] = str(seed)
            start = time.perf_counter()
            try:
                grade(answer, *more)
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
