"""How reliably, and how fast, the instructor's ``learn_kernel`` passes its checks.

Runs the solution notebook's ``Conv2D`` and ``learn_kernel`` as a student would typically
write them, with ``corr2d`` as a Python loop over output pixels (``--block`` uses the
vectorized ``autograder.runtime.blocks.corr2d`` of the notebook instead), and reports:

1. the stripe data with the default arguments, after ``torch.manual_seed(s)`` for
   ``--seeds`` values of ``s``: the largest error of the learned kernel, how many runs miss
   [[1, -1]] by more than the visible (0.01) and the hidden (0.001) tolerance, the proven
   bound on the error, and the time per call;
2. the whole hidden check ``grade_learn_kernel`` for ``--hidden`` grading seeds: failures
   and time per grading.

Usage (from the repository root)::

    .venv/bin/python benchmarks/learn_kernel_convergence.py            # 2000 seeds, 20 gradings
    .venv/bin/python benchmarks/learn_kernel_convergence.py --seeds 200 --hidden 5 --block
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solution_runs import solution_namespace, timed_gradings

from autograder.chapters.ch03_conv_layer import checks, hidden
from autograder.chapters.ch03_conv_layer import reference as ref
from autograder.runtime.device import device

ASSIGNMENT = "ch03_conv_layer"


def stripe_runs(learn_kernel, seeds: int) -> None:
    """Learn the stripe data's kernel after ``seeds`` different seeds and summarise."""
    X, Y = (t.to(device()) for t in ref.make_stripe_data())
    edge = torch.tensor(checks.EDGE_KERNEL, device=X.device)
    distance = hidden.worst_distance(edge, torch.zeros(1))
    bound = ref.contraction(X, (1, 2), 0.01, 100) * distance
    errors = []
    start = time.perf_counter()
    for seed in range(seeds):
        torch.manual_seed(seed)
        errors.append(float((learn_kernel(X, Y) - edge).abs().max()))
    elapsed = time.perf_counter() - start
    errors_t = torch.tensor(errors)
    print(f"stripe data, defaults (steps=100, lr=0.01), {seeds} seeds on {X.device}:")
    print(f"  proven bound on the error from any start in [-6, 6]^3: {bound:.2e}")
    print(f"  largest error {errors_t.max():.2e}, median {errors_t.median():.2e}")
    for label, tolerance in (("visible", checks.VISIBLE_TOLERANCE), ("hidden", hidden.TOLERANCE)):
        failures = int((errors_t > tolerance).sum())
        print(f"  failures at the {label} tolerance {tolerance:g}: {failures} of {seeds} ({failures / seeds:.2%})")
    print(f"  time per call: {elapsed / seeds * 1e3:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2000, help="seeds for the stripe data (default 2000)")
    parser.add_argument("--hidden", type=int, default=20, help="grading seeds for the hidden check (default 20)")
    parser.add_argument("--block", action="store_true", help="use the vectorized corr2d block, not a pixel loop")
    args = parser.parse_args()
    namespace = solution_namespace(ASSIGNMENT)
    if not args.block:
        # Chapter 2's solution, a loop over output pixels as most students write it; the answers
        # look corr2d up when they run.
        namespace["corr2d"] = solution_namespace("ch02_cross_correlation")["corr2d"]
    kind = "autograder.runtime.blocks.corr2d (vectorized)" if args.block else "a Python loop over output pixels"
    print(f"corr2d: {kind}")
    stripe_runs(namespace["learn_kernel"], args.seeds)
    if args.hidden:
        timed_gradings(hidden.grade_learn_kernel, namespace["learn_kernel"], args.hidden)
    return 0


if __name__ == "__main__":
    sys.exit(main())
