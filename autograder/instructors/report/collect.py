"""What a graded class looks like: scores, checks and limits hit, from the course's files.

Three sources, all left by grading, wherever the course's nbgrader configuration puts
them: the gradebook (scores of every graded cell), the autograded notebooks (what each
failed check said, cells that timed out) and, after ``cnn-course grade``, its record of
every submission's status and reasons (``autograded/.grading-state.json``). Submissions
that plain ``nbgrader autograde`` gave up on (a dead kernel, an unreadable notebook) have
grades but no autograded notebook.
"""

import json
import re
from dataclasses import dataclass, field

import nbformat
from nbgrader.api import Gradebook

from autograder.instructors.course import CourseFolder
from autograder.instructors.grading.results import TRUSTED
from autograder.instructors.grading.state import state_file
from autograder.instructors.submissions import exercise_of, nbgrader_meta

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Errors that mean nbgrader stopped the cell: (status, what happened).
STOPPED = {"CellTimeoutError": ("timed out", "ran over the cell timeout and was interrupted")}


@dataclass(frozen=True)
class Check:
    """One test cell of one graded submission: its points and, when it failed, its message."""

    assignment: str
    student: str
    grade_id: str
    score: float
    max_score: float
    message: str = ""

    @property
    def exercise(self) -> str:
        return exercise_of(self.grade_id) or self.grade_id

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass(frozen=True)
class Limit:
    """A submission that hit a limit or could not be graded, and why, in words."""

    assignment: str
    student: str
    status: str
    reason: str


@dataclass(frozen=True)
class Submission:
    """One student's total on one assignment, as the gradebook has it; ``graded`` when its
    checks count (it was graded, and not flagged for tampering)."""

    assignment: str
    student: str
    score: float
    max_score: float
    graded: bool


@dataclass
class ClassResults:
    """Everything the report shows, for the chosen assignments."""

    assignments: list[str]
    submissions: list[Submission] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)


def _error_text(output) -> str:
    """A check's message (a CheckFailure's value), or ``Name: value`` for any other error."""
    value = _ANSI.sub("", output.get("evalue", ""))
    return value if output.get("ename") == "CheckFailure" else f"{output.get('ename')}: {value}".rstrip(": ")


def _errors_by_cell(notebook: nbformat.NotebookNode) -> dict[str, list]:
    """The error outputs of every cell, by grade_id (by position for cells without one)."""
    errors = {}
    for index, cell in enumerate(notebook.cells):
        found = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if found:
            errors[nbgrader_meta(cell).get("grade_id") or f"cell {index + 1}"] = found
    return errors


def _stopped_cells(errors: dict[str, list]) -> list[tuple[str, str]]:
    """(status, reason) for every cell that nbgrader's Execute stopped (its timeouts)."""
    return [
        (STOPPED[out.ename][0], f"cell {cell} {STOPPED[out.ename][1]}")
        for cell, outputs in errors.items()
        for out in outputs
        if out.get("ename") in STOPPED
    ]


def _grading_state(course: CourseFolder) -> dict[str, dict]:
    """``cnn-course grade``'s record of each submission (``{}`` when it has not run)."""
    path = state_file(course)
    return json.loads(path.read_text()) if path.exists() else {}


def collect(course: CourseFolder, assignments: list[str] | None = None) -> ClassResults:
    """Read the course (all assignments of the gradebook by default)."""
    if course.gradebook is not None and not course.gradebook.exists():
        raise ValueError(f"no gradebook at {course.gradebook}: autograde the class first")
    state = _grading_state(course)
    with Gradebook(course.db_url) as gradebook:
        known = sorted(a.name for a in gradebook.assignments)
        unknown = sorted(set(assignments or []) - set(known))
        if unknown:
            raise ValueError(f"not in the gradebook: {', '.join(unknown)} (it knows {', '.join(known) or 'none'})")
        results = ClassResults(assignments or known)
        for name in results.assignments:
            for submission in gradebook.find_assignment(name).submissions:
                _add_submission(results, course, submission, state.get(f"{name}/{submission.student.id}"))
    return results


def _add_submission(results: ClassResults, course: CourseFolder, submission, recorded: dict | None) -> None:
    """Add one student's submission of one assignment: its total, checks and limits."""
    assignment, student = submission.assignment.name, submission.student.id
    limits = []
    if recorded and (recorded["status"] != "graded" or recorded["reasons"]):
        limits += [(recorded["status"], reason) for reason in recorded["reasons"] or ["-"]]
    trusted = not recorded or recorded["status"] in TRUSTED
    graded = trusted
    for notebook in submission.notebooks:
        path = course.submission("autograded", student, assignment) / f"{notebook.name}.ipynb"
        if not path.exists():
            graded = False
            if not recorded:
                limits.append(
                    (
                        "not graded",
                        f"{notebook.name}: nbgrader left no autograded notebook "
                        "(a dead kernel or an unreadable notebook: see the autograde log)",
                    )
                )
            continue
        errors = _errors_by_cell(nbformat.read(path, as_version=4))
        if not recorded:
            limits += _stopped_cells(errors)
        for grade in notebook.grades:
            if trusted and exercise_of(grade.name):
                message = "\n".join(_error_text(out) for out in errors.get(grade.name, []))
                results.checks.append(Check(assignment, student, grade.name, grade.score, grade.max_score, message))
    results.submissions.append(Submission(assignment, student, submission.score, submission.max_score, graded))
    results.limits += [Limit(assignment, student, status, reason) for status, reason in limits]
