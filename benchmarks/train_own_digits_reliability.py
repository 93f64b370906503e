"""How reliably, and how fast, the instructor's ``train_own_digits`` passes its hidden check.

Runs the solution notebook's ``train_own_digits`` on the solution's ``OwnDigitsCNN`` (the
network of the student's own modules; on one CPU thread, as the checks do) and reports:

1. the test accuracy of the network that the hidden check trains, for grading seeds
   0 .. ``--seeds`` - 1: each seed draws the number of epochs (10 to 12) and the network's
   starting weights exactly as ``grade_train_own_digits`` does; the lowest, 1st percentile and
   median accuracy, and how many fall below the threshold 0.93. The check gives a run that
   falls short a second one from another seed, so it fails a correct answer at most as often
   as the square of this rate;
2. the whole hidden check ``grade_train_own_digits`` for ``--gradings`` grading seeds: failures
   and the time per grading (nbgrader allows 60 s per cell).

Usage (from the repository root)::

    .venv/bin/python benchmarks/train_own_digits_reliability.py --seeds 100      # and 5 gradings
    # on 2026-12-05 (lr 0.003), 100 seeds: lowest 0.9711, 1st percentile 0.9755, median 0.9889,
    # 0 below 0.93, 1.9 s per run; a whole grading took 4.8 s on average, 5.5 s at most
    # (at chapter 10's lr 0.01: lowest 0.7844, 4 of 100 below 0.93)
    .venv/bin/python benchmarks/train_own_digits_reliability.py --seeds 20 --gradings 2
"""

import argparse
import sys
from functools import partial
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solution_runs import accuracy_runs, solution_namespace, timed_gradings

from autograder.chapters.ch10_simple_cnn.data import digits_data
from autograder.chapters.ch10_simple_cnn.reference import accuracy
from autograder.chapters.ch12_own_cnn import hidden
from autograder.runtime.cases import Cases
from autograder.runtime.device import device

ASSIGNMENT = "ch12_own_cnn"


def hidden_accuracy(train_own_digits, OwnDigitsCNN, seed: int) -> float:
    """The test accuracy after the full training run of the hidden check for grading seed ``seed``."""
    cases = Cases(seed)
    seeds = [cases.size(0, 2**31 - 1) for _ in range(3)]  # as grade_train_own_digits draws them
    epochs = cases.size(*hidden.HIDDEN_EPOCHS)
    torch.manual_seed(seeds[1])
    network = OwnDigitsCNN().to(device())
    train_own_digits(network, epochs, hidden.HIDDEN_LR)
    data = digits_data(device())
    return accuracy(network, data.X_test, data.y_test)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="grading seeds for the accuracy (default 100)")
    parser.add_argument("--gradings", type=int, default=5, help="whole hidden checks to time (default 5)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    namespace = solution_namespace(ASSIGNMENT)
    train_own_digits, OwnDigitsCNN = namespace["train_own_digits"], namespace["OwnDigitsCNN"]
    if args.seeds:
        what = f"epochs {hidden.HIDDEN_EPOCHS}, lr {hidden.HIDDEN_LR}"
        accuracy_runs(partial(hidden_accuracy, train_own_digits, OwnDigitsCNN), args.seeds, hidden.THRESHOLD, what)
    if args.gradings:
        timed_gradings(hidden.grade_train_own_digits, train_own_digits, args.gradings, OwnDigitsCNN)
    return 0


if __name__ == "__main__":
    sys.exit(main())
