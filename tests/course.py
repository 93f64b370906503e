"""A throwaway nbgrader course made from the repository, graded with the real nbgrader."""

import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbgrader.api import Gradebook

from autograder.instructors.cli import nbgrader_env

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


class Course:
    """An nbgrader course directory holding the repository's config and solutions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copy(REPO / "nbgrader_config.py", root)
        shutil.copytree(REPO / "solutions", root / "solutions")

    def nbgrader(self, *args: str) -> str:
        """Run nbgrader in the course; fail with its log if it exits non-zero."""
        done = subprocess.run(
            ["nbgrader", *args], cwd=self.root, env=nbgrader_env(), capture_output=True, text=True
        )
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{failure_log(done.stderr)}"
        return done.stdout + done.stderr

    def notebook(self, folder: str, assignment: str, student: str | None = None) -> Path:
        """Path of the assignment's notebook in ``folder`` (and the student's sub-folder)."""
        parts = [folder] + ([student] if student else []) + [assignment, f"{assignment}.ipynb"]
        return self.root.joinpath(*parts)

    def read(self, folder: str, assignment: str, student: str | None = None) -> nbformat.NotebookNode:
        """Read the assignment's notebook from ``folder``."""
        return nbformat.read(self.notebook(folder, assignment, student), as_version=4)

    def submit(self, student: str, assignment: str, notebook: nbformat.NotebookNode) -> None:
        """Place ``notebook`` as the student's submission, as nbgrader collect would."""
        path = self.notebook("submitted", assignment, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)

    def grades(self, assignment: str, student: str) -> dict[str, Grade]:
        """The student's grade rows for the assignment's notebook, by grade_id."""
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            return {
                grade.name: Grade(grade.score, grade.max_score, grade.needs_manual_grade)
                for grade in notebook.grades
            }
