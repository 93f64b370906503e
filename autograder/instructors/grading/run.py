"""One grading run: sweep what killed runs left, find the submissions, grade the changed ones
in parallel, merge, summarise."""

import multiprocessing
import os
import queue
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import find_all_files
from tqdm import tqdm

from autograder.instructors.course import CourseFolder
from autograder.instructors.grading import leftovers, worker
from autograder.instructors.grading.limits import Limits
from autograder.instructors.grading.merge import GradebookWriter
from autograder.instructors.grading.results import STATUSES, TRUSTED, Job, SetupError, SubmissionResult, WorkersFailed
from autograder.instructors.grading.state import State, digest_of


@dataclass
class Summary:
    """The results of a run, the submissions it re-graded and those it found unchanged."""

    graded: list[SubmissionResult] = field(default_factory=list)
    unchanged: list[tuple[str, str, dict]] = field(default_factory=list)

    def statuses(self) -> Counter:
        return Counter([r.status for r in self.graded] + [entry["status"] for *_, entry in self.unchanged])

    @property
    def exit_code(self) -> int:
        return 0 if set(self.statuses()) <= TRUSTED else 1

    def lines(self) -> list[str]:
        counts = self.statuses()
        head = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        lines = [
            f"{len(self.graded)} graded now, {len(self.unchanged)} unchanged since the last run: {head or 'nothing'}."
        ]
        rows = [(r.assignment, r.student, r.status, r.reasons) for r in self.graded]
        rows += [(a, s, entry["status"], entry["reasons"]) for a, s, entry in self.unchanged]
        rows.sort(key=lambda r: (STATUSES.index(r[2]), r[0], r[1]), reverse=True)
        for assignment, student, status, reasons in rows:
            if reasons or status != "graded":
                lines.append(f"  {status:<9} {assignment} {student}: " + "; ".join(reasons or ["-"]))
        return lines


def _assignments(course: CourseFolder, wanted: list[str]) -> dict[str, list[str]]:
    """Notebook names of each assignment to grade (all the gradebook knows with submissions, by default)."""
    with Gradebook(course.db_url, course.course_id) as gradebook:
        known = {a.name: sorted(n.name for n in a.notebooks) for a in gradebook.assignments}
    if not wanted:
        wanted = sorted(a for a in known if course.submissions("submitted", a))
    missing = [a for a in wanted if a not in known]
    if missing:
        raise SetupError(f"not in the gradebook: {', '.join(missing)}; run `nbgrader generate_assignment NAME` first")
    return {a: known[a] for a in wanted}


def _jobs(
    course: CourseFolder, assignments: dict[str, list[str]], limits: Limits, state: State, force: bool, summary: Summary
) -> list[Job]:
    """A job for each submission that changed since the last run (each one, with ``force``)."""
    graded_under = repr((limits.cell_timeout, limits.wall_time, limits.memory, limits.output, limits.tmp))
    jobs = []
    for assignment, notebooks in assignments.items():
        source = course.submission("source", ".", assignment)
        files = tuple(find_all_files(str(source), [*course.directory.ignore, "*.ipynb"]))
        for student, folder in course.submissions("submitted", assignment).items():
            digest = digest_of(folder, source, extra=graded_under)
            previous = None if force else state.previous(assignment, student, digest)
            if previous:
                summary.unchanged.append((assignment, student, previous))
                continue
            jobs.append(Job(assignment, student, folder, digest, tuple(notebooks), files))
    return jobs


def _scratch(gradebook: Path) -> tuple[Path, str]:
    """A scratch folder kernels can enter (their own sub-folders only) and a private gradebook copy."""
    scratch = leftovers.make_scratch()
    os.chmod(scratch, 0o711)
    private = scratch / "private"
    private.mkdir(mode=0o700)
    shutil.copy(gradebook, private / gradebook.name)
    return scratch, f"sqlite:///{private / gradebook.name}"


def grade(
    course: CourseFolder, wanted: list[str], limits: Limits, force: bool = False, progress: bool = True
) -> Summary:
    """Grade the class; return the summary (the gradebook is up to date when it returns)."""
    gradebook = course.gradebook
    if gradebook is None or not gradebook.exists():
        raise SetupError(f"no sqlite gradebook at {course.db_url}: run `nbgrader generate_assignment NAME` first")
    leftovers.sweep()
    os.chmod(gradebook, 0o600)
    try:
        assignments = _assignments(course, wanted)
    except MissingEntry as error:
        raise SetupError(str(error)) from error
    state = State(course)
    summary = Summary()
    jobs = _jobs(course, assignments, limits, state, force, summary)
    if not jobs:
        return summary
    config = course.config
    config.OverwriteCells.add_missing_cells = True
    scratch, snapshot = _scratch(gradebook)
    settings = {
        "config": config,
        "limits": limits,
        "scratch": str(scratch),
        "db_url": snapshot,
        "hidden": [str(course.root), str(scratch / "private")],
    }
    writer = GradebookWriter(course)
    context = multiprocessing.get_context("spawn")
    queue, results = context.Queue(), context.Queue()
    count = max(1, min(limits.workers, len(jobs)))
    processes = [
        context.Process(target=worker.serve, args=(settings, queue, results), daemon=True) for _ in range(count)
    ]
    for process in processes:
        process.start()
    for job in jobs:
        queue.put(job)
    for _ in processes:
        queue.put(None)
    try:
        bar = tqdm(
            total=len(jobs),
            unit="submission",
            disable=not progress,
            file=sys.stderr,
            desc=f"grading with {count} worker{'s' * (count > 1)}",
        )
        with bar:
            for _ in jobs:
                result = _next_result(results, processes)
                writer.write(result)
                state.remember(result)
                summary.graded.append(result)
                bar.update()
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    return summary


def _next_result(results, processes) -> SubmissionResult:
    """The next result; fail loudly if every worker died without sending one."""
    while True:
        try:
            return results.get(timeout=5)
        except queue.Empty as error:
            if not any(p.is_alive() for p in processes):
                raise WorkersFailed("every grading worker ended before the run was complete") from error
