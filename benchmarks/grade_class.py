"""Throughput of ``cnn-course grade`` against plain sequential ``nbgrader autograde``.

Builds a throwaway course with ``--students`` synthetic submissions of every assignment
(cycling through correct, wrong (a known mistake in every exercise), blank, and mixed
(the first exercise solved, the rest blank)), copies it, grades one copy with
``cnn-course grade`` and the other with ``nbgrader autograde ASSIGNMENT`` for each
assignment in turn, both with the same grading seed, and prints:

- submissions per minute for both, and the ratio;
- CPU seconds per notebook (every process of the run, kernels included; unlike wall
  time, it does not depend on what else the machine runs), the seconds spent inside
  cells, and the per-notebook overhead: CPU seconds not spent in cells (start-up, imports,
  kernel start, gradebook);
- whether both runs gave every cell the same score.

Usage (from the repository root)::

    .venv/bin/python benchmarks/grade_class.py                       # 8 students, every assignment
    .venv/bin/python benchmarks/grade_class.py --students 4 --assignments ch01_autograd ch02_cross_correlation
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.chapters import mistakes_for  # noqa: E402
from autograder.instructors.course import CourseFolder, nbgrader, nbgrader_env  # noqa: E402
from autograder.instructors.submissions import answers, fill, solved  # noqa: E402

KINDS = ("correct", "wrong", "blank", "mixed")
SEED = {"AUTOGRADER_SEED": "7"}


def submission(kind: str, release, solution):
    """The notebook a student of ``kind`` hands in."""
    solutions = answers(solution)
    if kind == "correct":
        return solved(release, solution)
    if kind == "blank":
        return release
    if kind == "mixed":
        first = next(iter(solutions))
        return fill(release, {first: solutions[first]})
    wrong = {exercise: mistakes[0].source for exercise in solutions if (mistakes := mistakes_for(exercise))}
    return fill(release, {**solutions, **wrong})


def _cpu() -> float:
    """CPU seconds of every finished descendant process (kernels included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], root: Path) -> tuple[float, float]:
    """Run ``command`` in ``root``; its wall and CPU seconds (fail loudly on a non-zero exit)."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, cwd=root, env={**nbgrader_env(), **SEED}, capture_output=True, text=True)
    if done.returncode not in (0, 1) or (command[0] == "nbgrader" and done.returncode):
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return time.perf_counter() - start, _cpu() - cpu


def make_course(root: Path, assignments: list[str], students: int) -> list[str]:
    """The course with its submissions; the assignments that generated."""
    shutil.copy(REPO / "nbgrader_config.py", root)
    course = CourseFolder(root)
    shutil.copytree(REPO / "solutions", course.folder("source"))
    graded = []
    for assignment in assignments:
        done = nbgrader(
            root, "generate_assignment", assignment, "--force", environment=SEED, capture_output=True, text=True
        )
        if done.returncode:
            print(f"skipping {assignment}: it does not generate", file=sys.stderr)
            continue
        graded.append(assignment)
        release, solution = (
            nbformat.read(course.submission(step, ".", assignment) / f"{assignment}.ipynb", as_version=4)
            for step in ("release", "source")
        )
        for number in range(students):
            kind = KINDS[number % len(KINDS)]
            path = course.submission("submitted", f"{kind}-{number:03d}", assignment) / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(submission(kind, release, solution), path)
    return graded


def cell_seconds(root: Path) -> float:
    """Seconds spent running cells, from the timing nbclient records in every autograded notebook."""
    total = 0.0
    for path in CourseFolder(root).folder("autograded").glob("*/*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            timing = cell.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
                start, end = (
                    datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                    for k in ("iopub.execute_input", "shell.execute_reply")
                )
                total += (end - start).total_seconds()
    return total


def scores(root: Path, assignments: list[str]) -> dict:
    with Gradebook(CourseFolder(root).db_url) as gradebook:
        return {
            (a, s.student.id, g.name): g.score
            for a in assignments
            for s in gradebook.assignment_submissions(a)
            for n in s.notebooks
            for g in n.grades
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8, help="submissions per assignment (default 8)")
    parser.add_argument("--assignments", nargs="*", help="default: every assignment in solutions/")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="workers of cnn-course grade")
    args = parser.parse_args()
    wanted = args.assignments or sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="grade-benchmark-") as folder:
        parallel, sequential = Path(folder, "parallel"), Path(folder, "sequential")
        parallel.mkdir()
        assignments = make_course(parallel, wanted, args.students)
        shutil.copytree(parallel, sequential)
        notebooks = len(assignments) * args.students
        print(
            f"{notebooks} submissions: {args.students} of each of {', '.join(assignments)}; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start"
        )
        ours = run(["cnn-course", "grade", "--quiet", "--workers", str(args.workers)], parallel)
        sequential_runs = [run(["nbgrader", "autograde", assignment], sequential) for assignment in assignments]
        theirs = tuple(map(sum, zip(*sequential_runs)))
        rows = [
            ("cnn-course grade", *ours, cell_seconds(parallel)),
            ("nbgrader autograde", *theirs, cell_seconds(sequential)),
        ]
        print(f"{'':<20}{'wall s':>8}{'per min':>9}{'CPU s/nb':>10}{'in cells s/nb':>15}{'overhead s/nb':>15}")
        for name, wall, cpu, cells in rows:
            overhead = max(0.0, cpu - cells) / notebooks
            print(
                f"{name:<20}{wall:>8.1f}{60 * notebooks / wall:>9.1f}{cpu / notebooks:>10.2f}"
                f"{cells / notebooks:>15.2f}{overhead:>15.2f}"
            )
        print(f"ratio: {theirs[0] / ours[0]:.2f}x the throughput of sequential nbgrader")
        same = scores(parallel, assignments) == scores(sequential, assignments)
        print(f"same scores in both runs, cell by cell: {same}")


if __name__ == "__main__":
    main()
