"""A throwaway nbgrader course made from the repository, graded with the real nbgrader."""

import contextlib
import io
import os
import shutil
import tempfile
import traceback
from functools import cache
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import nbformat
from nbgrader.api import Gradebook

from autograder.instructors.course import CourseFolder, nbgrader_env

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
        if self.gradebook is not None and self.gradebook.parent.is_dir() and not self.gradebook.exists():
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
        status, log = self.run_nbgrader(*args, env=env)
        assert status == 0, f"nbgrader {' '.join(args)} failed:\n{failure_log(log)}"
        return log

    def run_nbgrader(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        """``nbgrader ARGS`` run in this process, as its command line runs it (in the course, with
        :func:`~autograder.instructors.course.nbgrader_env`): its exit status and its output.
        A new ``nbgrader`` process would spend seconds importing what this one holds already;
        tests/test_cli.py runs the command line itself."""
        from jupyter_core.application import NoStart
        from nbgrader.apps.nbgraderapp import NbGraderApp

        output = io.StringIO()
        with (
            mock.patch.dict(os.environ, {**nbgrader_env(), **(env or {})}),
            contextlib.chdir(self.root),
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
        ):
            app = NbGraderApp.instance()
            try:
                app.initialize(list(args))
                app.start()
                status = 0
            except NoStart:  # how jupyter's applications end once a subcommand is done
                status = 0
            except SystemExit as exit:
                status = exit.code if isinstance(exit.code, int) else int(bool(exit.code))
            except Exception:  # as the command line would end: with the traceback, status 1
                traceback.print_exc()
                status = 1
            finally:
                if app.subapp is not None:
                    type(app.subapp).clear_instance()
                NbGraderApp.clear_instance()
        return status, output.getvalue()

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
