"""A small class graded with the real nbgrader, shared by the report and formgrader tests.

Eight students hand in ch02_cross_correlation: the solution (ada, with a written answer
of her own), the blank exercise, four known mistakes (one of them made twice), an
infinite loop and a kernel that kills itself. Plain ``nbgrader autograde`` grades them.
"""

from dataclasses import dataclass

import pytest
from course import Course

from autograder.chapters import mistakes_for
from autograder.instructors.submissions import answers, fill, nbgrader_meta, solved, with_mistake

ASSIGNMENT = "ch02_cross_correlation"
WRITTEN_ID = "written_why_cross_correlation"
WRITTEN_ANSWER = "Because the kernel is learned, flipping it changes nothing: ada-7f3c."
# Student -> (exercise, name of the known mistake in their answer).
MISTAKES = {
    "bob": ("corr2d", "corr2d_off_by_one"),
    "cleo": ("corr2d", "corr2d_flips_kernel"),
    "dan": ("corr2d", "corr2d_flips_kernel"),
    "eve": ("conv2d_flipped", "conv2d_flipped_not_flipped"),
}
WRITER, LOOPER, CRASHER = "ada", "finn", "gus"


@dataclass
class GradedClass:
    """The graded course and who handed in what (tests read it here, not from this module)."""

    course: Course
    assignment: str
    students: list[str]
    writer: str = WRITER
    looper: str = LOOPER
    crasher: str = CRASHER
    written_id: str = WRITTEN_ID
    written_answer: str = WRITTEN_ANSWER


def _with_written_answer(notebook, text: str):
    for cell in notebook.cells:
        if nbgrader_meta(cell).get("grade_id") == WRITTEN_ID:
            cell.source = text
    return notebook


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    """Generate, submit, autograde (the crasher on its own) and make the feedback."""
    course = Course(tmp_path_factory.mktemp("graded-class"))
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    release, solution = course.read("release", ASSIGNMENT), course.read("source", ASSIGNMENT)
    course.submit(WRITER, ASSIGNMENT, _with_written_answer(solved(release, solution), WRITTEN_ANSWER))
    course.submit("blank", ASSIGNMENT, release)
    for student, (exercise, name) in MISTAKES.items():
        (mistake,) = [m for m in mistakes_for(exercise) if m.name == name]
        course.submit(student, ASSIGNMENT, with_mistake(release, solution, exercise, mistake.source))
    looping = fill(release, {**answers(solution), "conv2d_flipped": "while True:\n    pass\n"})
    course.submit(LOOPER, ASSIGNMENT, looping)
    course.nbgrader("autograde", ASSIGNMENT, "--Execute.timeout=5")  # a 5 s cell timeout ends the loop
    crashing = fill(release, {**answers(solution), "corr2d_vectorized": "import os\nos._exit(1)\n"})
    course.submit(CRASHER, ASSIGNMENT, crashing)
    status, _ = course.run_nbgrader("autograde", ASSIGNMENT, f"--student={CRASHER}")
    assert status != 0, "nbgrader graded a notebook whose kernel died"
    course.nbgrader("generate_feedback", ASSIGNMENT)
    students = [WRITER, "blank", *MISTAKES, LOOPER, CRASHER]
    return GradedClass(course, ASSIGNMENT, students)
