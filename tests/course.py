"""A throwaway nbgrader course made from the repository, graded with the real nbgrader."""

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import nbformat
from nbgrader.api import Gradebook

from autograder.instructors.course import CourseFolder, nbgrader, nbgrader_env

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(path.name for path in (REPO / "solutions").iterdir() if path.is_dir())


def failure_log(log: str, limit: int = 12000) -> str:
    """The part of an nbgrader log that explains a failure: from its first traceback or error on."""
    starts = [i for i in (log.find("Traceback"), log.find("| ERROR]")) if i >= 0]
    start = min(starts, default=max(0, len(log) - limit))
    return log[start : start + limit]


class Grade(NamedTuple):
    """One graded cell of a submission."""

    score: float
    max_score: float
    needs_manual_grade: bool


@cache
def empty_gradebook() -> Path:
    """A new, empty gradebook, made once per test process: nbgrader makes each one by asking a
    separate ``alembic`` process for the schema's version (seconds), and a course copies it."""
    path = Path(tempfile.mkdtemp(prefix="gradebook-")) / "gradebook.db"
    with mock.patch.dict(os.environ, {"PATH": nbgrader_env()["PATH"]}):
        Gradebook(f"sqlite:///{path}").close()
    return path


class Course(CourseFolder):
    """An nbgrader course folder holding the repository's config (followed by ``config``, lines
    of nbgrader configuration of the test's own) and solutions. Folders are named by their
    step, as in :class:`~autograder.instructors.course.CourseFolder`: ``"release"`` is the
    course's exercises/, ``"source"`` its solutions/."""

    def __init__(self, root: Path, config: str = "") -> None:
        shutil.copy(REPO / "nbgrader_config.py", root)
        with open(root / "nbgrader_config.py", "a") as file:
            file.write(config)
        super().__init__(root)
        shutil.copytree(REPO / "solutions", self.folder("source"))
        if self.gradebook is not None and not self.gradebook.exists():
            shutil.copy(empty_gradebook(), self.gradebook)

    @classmethod
    def copy_of(cls, course: "Course", root: Path) -> "Course":
        """A copy of ``course``, folders, gradebook and all, at ``root``."""
        shutil.copytree(course.root, root, dirs_exist_ok=True)
        copy = cls.__new__(cls)
        CourseFolder.__init__(copy, root)
        return copy

    def nbgrader(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run nbgrader in the course (with ``env`` added to its environment); fail with its log
        if it exits non-zero."""
        done = nbgrader(self.root, *args, environment=env, capture_output=True, text=True)
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{failure_log(done.stderr)}"
        return done.stdout + done.stderr

    def notebook(self, step: str, assignment: str, student: str | None = None) -> Path:
        """Path of the assignment's notebook in a step's folder (and the student's sub-folder)."""
        return self.submission(step, student or ".", assignment) / f"{assignment}.ipynb"

    def read(self, step: str, assignment: str, student: str | None = None) -> nbformat.NotebookNode:
        """Read the assignment's notebook from a step's folder."""
        return nbformat.read(self.notebook(step, assignment, student), as_version=4)

    def submit(self, student: str, assignment: str, notebook: nbformat.NotebookNode) -> None:
        """Place ``notebook`` as the student's submission, as nbgrader collect would."""
        path = self.notebook("submitted", assignment, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)

    def grades(self, assignment: str, student: str) -> dict[str, Grade]:
        """The student's grade rows for the assignment's notebook, by grade_id."""
        with Gradebook(self.db_url) as gradebook:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            return {
                grade.name: Grade(grade.score, grade.max_score, grade.needs_manual_grade) for grade in notebook.grades
            }
