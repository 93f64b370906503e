"""Write graded submissions into the course: the gradebook and the autograded folder.

Only the parent process writes, one submission at a time, with nbgrader's own
preprocessors (SaveAutoGrades, AssignLatePenalties, CheckCellMetadata) and its layout,
so that formgrader, ``nbgrader generate_feedback`` and ``nbgrader export`` see what
``nbgrader autograde`` would have left.
"""

import os
import shutil
import warnings

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, SaveAutoGrades
from sqlalchemy.exc import SAWarning

from autograder.instructors.course import CourseFolder
from autograder.instructors.grading.results import SubmissionResult

SAVE = (SaveAutoGrades, AssignLatePenalties, CheckCellMetadata)


class GradebookWriter:
    """Records results in the course's gradebook and writes the autograded notebooks."""

    def __init__(self, course: CourseFolder) -> None:
        self.course = course

    def write(self, result: SubmissionResult) -> None:
        """Create or update the student's submission, save its grades, write its notebooks."""
        submitted = self.course.submission("submitted", result.student, result.assignment)
        destination = self.course.submission("autograded", result.student, result.assignment)
        timestamp = self.course.directory.get_existing_timestamp(str(submitted))
        with Gradebook(self.course.db_url, self.course.course_id) as gradebook, warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session use, harmless
            gradebook.update_or_create_student(result.student)
            extra = {"timestamp": timestamp} if timestamp else {}
            gradebook.update_or_create_submission(result.assignment, result.student, **extra)
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        for path in submitted.iterdir():
            if path.is_file() and path.suffix != ".ipynb":
                shutil.copy(path, destination / path.name)
        for notebook in result.notebooks:
            if notebook.notebook is None:
                self._zero(result, notebook.name)
                continue
            nb = nbformat.reads(notebook.notebook, as_version=4)
            resources = {
                "nbgrader": {
                    "notebook": notebook.name,
                    "assignment": result.assignment,
                    "student": result.student,
                    "db_url": self.course.db_url,
                }
            }
            for preprocessor in SAVE:
                nb, resources = preprocessor(config=self.course.config)(nb, resources)
            nbformat.write(nb, destination / f"{notebook.name}.ipynb")
        for path in destination.iterdir():
            os.chmod(path, 0o444)

    def _zero(self, result: SubmissionResult, name: str) -> None:
        """No gradable notebook: every cell scores zero, as nbgrader does for a missing file."""
        with Gradebook(self.course.db_url, self.course.course_id) as gradebook:
            notebook = gradebook.find_submission_notebook(name, result.assignment, result.student)
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            gradebook.db.commit()
