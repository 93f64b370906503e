"""Round trip through the real nbgrader: generate, autograde, feedback, for every assignment.

Students: ``solution`` (the instructor's answers), ``blank`` (the untouched exercise) and
``mistakes-K`` for K = 1, 2, ...: the solution with the K-th known mistake of every
exercise in place of its answer. One student per mistake would be cleaner but several
times slower; each mistake is also tested alone, in process, in test_checks.py.
"""

import html
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from course import ASSIGNMENTS, REPO, Course

from autograder.chapters import mistakes_for
from autograder.instructors.submissions import answers, exercise_of, solved, with_mistakes
from autograder.runtime.mistakes import Mistake

pytestmark = pytest.mark.slow


@dataclass
class Graded:
    """An assignment graded for the synthetic class."""

    course: Course
    assignment: str
    mistakes: dict[str, list[Mistake]]  # by student

    def grades(self, student: str):
        """The student's grades on this assignment, by grade_id."""
        return self.course.grades(self.assignment, student)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory) -> Graded:
    """Generate the assignment, submit the synthetic class, autograde it and make feedback."""
    assignment = request.param
    course = Course(tmp_path_factory.mktemp(assignment))
    course.nbgrader("generate_assignment", assignment, "--force")
    release = course.read("exercises", assignment)
    solution = course.read("solutions", assignment)
    course.submit("solution", assignment, solved(release, solution))
    course.submit("blank", assignment, release)
    by_exercise = {exercise: mistakes_for(exercise) for exercise in answers(solution)}
    mistakes: dict[str, list[Mistake]] = {}
    for k in range(max(map(len, by_exercise.values()), default=0)):
        student = f"mistakes-{k + 1}"
        mistakes[student] = [found[k] for found in by_exercise.values() if k < len(found)]
        sources = {m.exercise: m.source for m in mistakes[student]}
        course.submit(student, assignment, with_mistakes(release, solution, sources))
    course.nbgrader("autograde", assignment)
    course.nbgrader("generate_feedback", assignment)
    return Graded(course, assignment, mistakes)


def test_generated_exercise_matches_committed(graded):
    """exercises/ holds exactly what nbgrader generates from solutions/ (regenerate with `make exercises`)."""
    generated = graded.course.notebook("exercises", graded.assignment).read_text()
    committed = (REPO / "exercises" / graded.assignment / f"{graded.assignment}.ipynb").read_text()
    assert json.loads(generated) == json.loads(committed), "exercises/ is out of date: run `make exercises`"


def test_solution_gets_full_marks(graded):
    """Every autograded cell of the instructor's solution earns all its points."""
    grades = graded.grades("solution")
    lost = {cell: grade for cell, grade in grades.items() if not grade.needs_manual_grade and grade.score != grade.max_score}
    assert not lost, f"the solution lost points: {lost}"


def test_written_answers_await_manual_grading(graded):
    """A written answer is left for a person to grade (and earns nothing automatically)."""
    written = {cell: grade for cell, grade in graded.grades("solution").items() if cell.startswith("written_")}
    assert written, "every assignment has a written question"
    assert all(grade.needs_manual_grade for grade in written.values())


def test_blank_exercise_gets_zero(graded):
    """The untouched student notebook is graded without error and earns no point anywhere."""
    grades = graded.grades("blank")
    assert grades and all(grade.score == 0 for grade in grades.values()), grades
    assert graded.course.notebook("autograded", graded.assignment, "blank").exists()


def test_every_known_mistake_loses_points(graded):
    """Each wrong answer in autograder.mistakes scores less than full marks on its exercise."""
    assert graded.mistakes, f"{graded.assignment} has no wrong answers to test its checks with"
    uncaught = []
    for student, mistakes in graded.mistakes.items():
        grades = graded.grades(student)
        for mistake in mistakes:
            cells = [g for cell, g in grades.items() if exercise_of(cell) == mistake.exercise]
            assert cells, f"no test cell grades {mistake.exercise}"
            if sum(g.score for g in cells) >= sum(g.max_score for g in cells):
                uncaught.append(f"{mistake.exercise}: {mistake.name} ({mistake.summary})")
    assert not uncaught, "full marks for known wrong answers:\n" + "\n".join(uncaught)


def test_feedback_names_every_known_mistake(graded):
    """The feedback of a student who made a known mistake shows that mistake's hint."""
    unnamed = []
    for student, mistakes in graded.mistakes.items():
        page = graded.course.root / "feedback" / student / graded.assignment / f"{graded.assignment}.html"
        text = html.unescape(page.read_text())
        unnamed += [f"{student}: {m.name}" for m in mistakes if f"Hint: {m.hint}" not in text]
    assert not unnamed, "feedback without the mistake's hint:\n" + "\n".join(unnamed)


def test_failed_checks_show_a_message_not_a_traceback(graded):
    """A failing test cell's output is the check's message alone, without code frames."""
    notebook = nbformat.read(graded.course.notebook("autograded", graded.assignment, "blank"), as_version=4)
    errors = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", []) if out.output_type == "error"]
    assert errors
    for error in errors:
        assert error.ename == "CheckFailure", error.ename
        assert len(error.traceback) == 1 and "NotImplementedError" in error.evalue


def _hidden_sources(assignment: str) -> list[str]:
    """The lines of code between the hidden-test markers of the solution notebook."""
    solution = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    lines = []
    for cell in solution.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            block = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            lines += [line.strip() for line in block.splitlines() if line.strip()]
    return lines


def test_feedback_does_not_reveal_hidden_checks(graded):
    """Feedback explains failed hidden checks without showing their code or traceback lines."""
    hidden = _hidden_sources(graded.assignment)
    assert hidden
    feedback = sorted(Path(graded.course.root, "feedback").glob(f"*/{graded.assignment}/*.html"))
    assert len(feedback) == 2 + len(graded.mistakes)
    explained = 0
    for page in feedback:
        text = page.read_text()
        for line in hidden:
            name = line.split("(")[0].split()[-1]
            assert name not in text, f"{page}: feedback shows hidden code ({name})"
        explained += "Hidden check" in text and "grading seed" in text
    assert explained, "no feedback page explains a failed hidden check"
