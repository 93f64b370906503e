"""One grading run: find the submissions, grade the changed ones in parallel, merge, summarise."""

import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files
from tqdm import tqdm

from autograder.instructors.grading import worker
from autograder.instructors.grading.limits import Limits
from autograder.instructors.grading.merge import GradebookWriter
from autograder.instructors.grading.results import STATUSES, TRUSTED, SetupError, SubmissionResult, WorkersFailed
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
        lines = [f"{len(self.graded)} graded now, {len(self.unchanged)} unchanged since the last run: {head or 'nothing'}."]
        rows = [(r.assignment, r.student, r.status, r.reasons) for r in self.graded]
        rows += [(a, s, entry["status"], entry["reasons"]) for a, s, entry in self.unchanged]
        for assignment, student, status, reasons in sorted(rows, key=lambda r: (STATUSES.index(r[2]), r[0], r[1]), reverse=True):
            if reasons or status != "graded":
                lines.append(f"  {status:<9} {assignment} {student}: " + "; ".join(reasons or ["-"]))
        return lines


def course_directory(root: Path, config) -> CourseDirectory:
    return CourseDirectory(config=config, root=str(root))


def _assignments(coursedir: CourseDirectory, wanted: list[str]) -> dict[str, list[str]]:
    """Notebook names of each assignment to grade (all the gradebook knows with submissions, by default)."""
    submitted = Path(coursedir.root) / coursedir.submitted_directory
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        known = {a.name: sorted(n.name for n in a.notebooks) for a in gradebook.assignments}
    if not wanted:
        wanted = sorted(a for a in known if any(submitted.glob(f"*/{a}")))
    missing = [a for a in wanted if a not in known]
    if missing:
        raise SetupError(f"not in the gradebook: {', '.join(missing)}; run `nbgrader generate_assignment NAME` first")
    return {a: known[a] for a in wanted}


def _jobs(coursedir: CourseDirectory, assignments: dict[str, list[str]], limits: Limits, state: State,
          force: bool, summary: Summary) -> list[dict]:
    root = Path(coursedir.root)
    jobs = []
    for assignment, notebooks in assignments.items():
        source = root / coursedir.source_directory / assignment
        files = find_all_files(str(source), coursedir.ignore + ["*.ipynb"])
        for folder in sorted((root / coursedir.submitted_directory).glob(f"*/{assignment}")):
            student = folder.parent.name
            digest = digest_of(folder, source, extra=repr((limits.cell_timeout, limits.wall_time, limits.memory, limits.output)))
            previous = None if force else state.previous(assignment, student, digest)
            if previous:
                summary.unchanged.append((assignment, student, previous))
                continue
            jobs.append({"assignment": assignment, "student": student, "folder": str(folder), "digest": digest,
                         "notebooks": notebooks, "files": files})
    return jobs


def _scratch(root: Path, db_path: Path) -> tuple[Path, str]:
    """A scratch folder kernels can enter (their own sub-folders only) and a private gradebook copy."""
    scratch = Path(tempfile.mkdtemp(prefix="cnn-course-grading-"))
    os.chmod(scratch, 0o711)
    private = scratch / "private"
    private.mkdir(mode=0o700)
    shutil.copy(db_path, private / "gradebook.db")
    return scratch, f"sqlite:///{private / 'gradebook.db'}"


def grade(root: Path, config, wanted: list[str], limits: Limits, force: bool = False,
          progress: bool = True) -> Summary:
    """Grade the class in ``root``; return the summary (the gradebook is up to date when it returns)."""
    coursedir = course_directory(root, config)
    db_path = root / "gradebook.db"
    if not coursedir.db_url.startswith("sqlite:///") or not db_path.exists():
        raise SetupError(f"no gradebook at {db_path}: run `nbgrader generate_assignment NAME` first")
    os.chmod(db_path, 0o600)
    try:
        assignments = _assignments(coursedir, wanted)
    except MissingEntry as error:
        raise SetupError(str(error)) from error
    state = State(root)
    summary = Summary()
    jobs = _jobs(coursedir, assignments, limits, state, force, summary)
    if not jobs:
        return summary
    config.OverwriteCells.add_missing_cells = True
    scratch, snapshot = _scratch(root, db_path)
    settings = {"config": config, "limits": limits, "scratch": str(scratch), "db_url": snapshot,
                "hidden": [str(root), str(scratch / "private")]}
    writer = GradebookWriter(root, config, coursedir.db_url, coursedir.course_id)
    context = multiprocessing.get_context("spawn")
    queue, results = context.Queue(), context.Queue()
    count = max(1, min(limits.workers, len(jobs)))
    processes = [context.Process(target=worker.serve, args=(n, settings, queue, results), daemon=True) for n in range(count)]
    for process in processes:
        process.start()
    for job in jobs:
        queue.put(job)
    for _ in processes:
        queue.put(None)
    try:
        bar = tqdm(total=len(jobs), unit="submission", disable=not progress, file=sys.stderr,
                   desc=f"grading with {count} worker{'s' * (count > 1)}")
        with bar:
            for _ in jobs:
                result = _next_result(results, processes)
                writer.write(result)
                state.remember(result)
                summary.graded.append(result)
                bar.update()
                if len(summary.graded) % 20 == 0:
                    state.save()
    finally:
        state.save()
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
