"""How reliably, and how fast, the instructor's ``train_digits`` passes its hidden check.

Runs the solution notebook's ``train_digits`` (on one CPU thread, as the checks do) and reports:

1. the test accuracy of the network that the hidden check trains, for grading seeds
   0 .. ``--seeds`` - 1: each seed draws the number of epochs (10 to 12) and the network's
   starting weights exactly as ``grade_train_digits`` does; the lowest, 1st percentile and
   median accuracy, and how many fall below the threshold 0.93. The check gives a run that
   falls short a second one from another seed, so it fails a correct answer at most as often
   as the square of this rate;
2. the whole hidden check ``grade_train_digits`` for ``--gradings`` grading seeds: failures
   and the time per grading (nbgrader allows 60 s per cell).

Usage (from the repository root)::

    .venv/bin/python benchmarks/train_digits_reliability.py               # 500 seeds, 5 gradings
    # on 2026-12-01, 100 seeds: lowest 0.9422, 1st percentile 0.9444, median 0.9711, 0 below 0.93;
    # a whole grading took 4 s
    .venv/bin/python benchmarks/train_digits_reliability.py --seeds 50 --gradings 2
"""

import argparse
import sys
from functools import partial
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solution_runs import accuracy_runs, solution_namespace, timed_gradings

from autograder.chapters.ch10_simple_cnn import hidden
from autograder.chapters.ch10_simple_cnn import reference as ref
from autograder.chapters.ch10_simple_cnn.data import digits_data
from autograder.runtime.cases import Cases
from autograder.runtime.device import device

ASSIGNMENT = "ch10_simple_cnn"


def hidden_accuracy(train_digits, seed: int) -> float:
    """The test accuracy after the full training run of the hidden check for grading seed ``seed``."""
    cases = Cases(seed)
    seeds = [cases.size(0, 2**31 - 1) for _ in range(3)]  # as grade_train_digits draws them
    epochs = cases.size(*hidden.HIDDEN_EPOCHS)
    torch.manual_seed(seeds[1])
    network = ref.digits_sequential().to(device())
    train_digits(network, epochs, hidden.HIDDEN_LR)
    data = digits_data(device())
    return ref.accuracy(network, data.X_test, data.y_test)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500, help="grading seeds for the accuracy (default 500)")
    parser.add_argument("--gradings", type=int, default=5, help="whole hidden checks to time (default 5)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train_digits = solution_namespace(ASSIGNMENT)["train_digits"]
    if args.seeds:
        what = f"epochs {hidden.HIDDEN_EPOCHS}, lr {hidden.HIDDEN_LR}"
        accuracy_runs(partial(hidden_accuracy, train_digits), args.seeds, hidden.THRESHOLD, what)
    if args.gradings:
        timed_gradings(hidden.grade_train_digits, train_digits, args.gradings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
