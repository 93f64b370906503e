"""Round trip through the real nbgrader and through ``cnn-course grade``, for every assignment.

Students: ``solution`` (the instructor's answers), ``blank`` (the untouched exercise) and
``mistakes-K`` for K = 1, 2, ...: the solution with the K-th known mistake of every
exercise in place of its answer. One student per mistake would be cleaner but several
times slower; each mistake is also tested alone, in process, in test_checks.py.

Plain ``nbgrader autograde`` grades the solution and the blank exercise. Then ``cnn-course
grade`` (the course's parallel, sandboxed grader) grades the whole class, those two again
included, with the same grading seed: both graders must give every cell the same score.
nbgrader then makes every student's feedback.
"""

import html
import json
import math
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass

import nbformat
import pytest
from course import ASSIGNMENTS, REPO, Course, Grade

from autograder.chapters import all_mistakes, chapter_of, mistakes_for
from autograder.instructors.course import nbgrader_env
from autograder.instructors.report.collect import collect
from autograder.instructors.report.summary import known_mistakes
from autograder.instructors.submissions import answers, exercise_of, solved, with_mistakes
from autograder.runtime.cases import SEED_VAR
from autograder.runtime.mistakes import Mistake

pytestmark = pytest.mark.slow

PLAIN = ("solution", "blank")  # the students both graders grade
# The assignments with the most known mistakes first: they take longest to grade, and xdist then
# spreads the shorter ones over the workers at the end.
BY_MISTAKES = sorted(ASSIGNMENTS, key=lambda key: -sum(chapter_of(m) == key for m in all_mistakes()))


@dataclass
class Graded:
    """An assignment graded for the synthetic class."""

    course: Course
    assignment: str
    seed: str  # the grading seed of both graders
    mistakes: dict[str, list[Mistake]]  # by student
    plain: dict[str, dict[str, Grade]]  # the grades `nbgrader autograde` gave the PLAIN students
    plain_blank: nbformat.NotebookNode  # the blank notebook as `nbgrader autograde` left it
    run: subprocess.CompletedProcess  # `cnn-course grade`

    def grades(self, student: str) -> dict[str, Grade]:
        """The student's grades on this assignment, by grade_id (from `cnn-course grade`)."""
        return self.course.grades(self.assignment, student)


def grader_workers(submissions: int) -> int:
    """Kernels `cnn-course grade` runs at once for a class of ``submissions``, beside the test
    worker grading another class: one per 12 submissions, at most one per core. A second kernel
    costs a second zygote (seconds of imports), and each of two kernels gets one torch thread
    instead of two, which wait on each other when the other class runs too. Measured on 2 cores,
    two classes at once: 7 and 9 submissions took 20 and 25 s with one kernel, 27 s with two;
    25 submissions took 104 s with one kernel, 72 s with two."""
    return max(1, min(os.cpu_count() or 1, math.ceil(submissions / 12)))


@pytest.fixture(scope="module", params=BY_MISTAKES)
def graded(request, tmp_path_factory) -> Graded:
    """Generate the assignment; grade the solution and the blank exercise with nbgrader, then the
    whole class with `cnn-course grade`; make the feedback."""
    assignment = request.param
    seed = os.environ.get(SEED_VAR) or str(secrets.randbelow(2**31))
    environment = {SEED_VAR: seed}
    course = Course(tmp_path_factory.mktemp(assignment))
    course.nbgrader("generate_assignment", assignment, "--force")
    release = course.read("release", assignment)
    solution = course.read("source", assignment)
    course.submit("solution", assignment, solved(release, solution))
    course.submit("blank", assignment, release)
    course.nbgrader("autograde", assignment, env=environment)
    plain = {student: course.grades(assignment, student) for student in PLAIN}
    plain_blank = course.read("autograded", assignment, "blank")
    by_exercise = {exercise: mistakes_for(exercise) for exercise in answers(solution)}
    mistakes: dict[str, list[Mistake]] = {}
    for k in range(max(map(len, by_exercise.values()), default=0)):
        student = f"mistakes-{k + 1}"
        mistakes[student] = [found[k] for found in by_exercise.values() if k < len(found)]
        sources = {m.exercise: m.source for m in mistakes[student]}
        course.submit(student, assignment, with_mistakes(release, solution, sources))
    workers = grader_workers(len(PLAIN) + len(mistakes))
    command = ["grade", assignment, "--quiet", "--workers", str(workers)]
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "--root", str(course.root), *command],
        env={**nbgrader_env(), **environment},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    course.nbgrader("generate_feedback", assignment)
    return Graded(course, assignment, seed, mistakes, plain, plain_blank, run)


def both(graded: Graded, student: str) -> dict[str, dict[str, Grade]]:
    """The student's grades from each grader, by grader."""
    return {"nbgrader autograde": graded.plain[student], "cnn-course grade": graded.grades(student)}


def test_generated_exercise_matches_committed(graded):
    """exercises/ holds exactly what nbgrader generates from solutions/ (regenerate with `make exercises`)."""
    generated = graded.course.notebook("release", graded.assignment).read_text()
    committed = (REPO / "exercises" / graded.assignment / f"{graded.assignment}.ipynb").read_text()
    assert json.loads(generated) == json.loads(committed), "exercises/ is out of date: run `make exercises`"


def test_cnn_course_grade_grades_the_whole_class(graded):
    """`cnn-course grade` grades every submission and trusts every grade (exit status 0)."""
    summary = graded.run.stdout + graded.run.stderr[-3000:]
    assert graded.run.returncode == 0, summary
    students = len(PLAIN) + len(graded.mistakes)
    assert graded.run.stdout.startswith(f"{students} graded now, 0 unchanged"), summary


def test_solution_gets_full_marks(graded):
    """Every autograded cell of the instructor's solution earns all its points, from both graders."""
    for grader, grades in both(graded, "solution").items():
        lost = {
            cell: grade
            for cell, grade in grades.items()
            if not grade.needs_manual_grade and grade.score != grade.max_score
        }
        assert not lost, f"{grader}: the solution lost points (grading seed {graded.seed}): {lost}"


def test_written_answers_await_manual_grading(graded):
    """A written answer is left for a person to grade (and earns nothing automatically)."""
    for grader, grades in both(graded, "solution").items():
        written = {cell: grade for cell, grade in grades.items() if cell.startswith("written_")}
        assert written, f"{grader}: every assignment has a written question"
        assert all(grade.needs_manual_grade for grade in written.values()), grader


def test_blank_exercise_gets_zero(graded):
    """The untouched student notebook is graded without error and earns no point anywhere."""
    for grader, grades in both(graded, "blank").items():
        assert grades and all(grade.score == 0 for grade in grades.values()), (grader, grades)
    assert graded.course.notebook("autograded", graded.assignment, "blank").exists()


def test_both_graders_give_every_cell_the_same_score(graded):
    """`cnn-course grade` and `nbgrader autograde`, with one grading seed, grade every cell alike."""
    for student in PLAIN:
        plain, course = both(graded, student).values()
        assert course == plain, f"{student}, grading seed {graded.seed}"


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
    assert not uncaught, f"full marks for known wrong answers (grading seed {graded.seed}):\n" + "\n".join(uncaught)


def test_feedback_names_every_known_mistake(graded):
    """The feedback of a student who made a known mistake shows that mistake's hint."""
    unnamed = []
    for student, mistakes in graded.mistakes.items():
        page = graded.course.submission("feedback", student, graded.assignment) / f"{graded.assignment}.html"
        text = html.unescape(page.read_text())
        unnamed += [f"{student}: {m.name}" for m in mistakes if f"Hint: {m.hint}" not in text]
    assert not unnamed, f"feedback without the mistake's hint (grading seed {graded.seed}):\n" + "\n".join(unnamed)


def test_report_counts_every_known_mistake(graded):
    """The class report, read from what `cnn-course grade` wrote, counts each student's known mistake."""
    counts = known_mistakes(collect(graded.course, [graded.assignment]), graded.assignment)
    uncounted = [
        f"{student}: {m.name}"
        for student, mistakes in graded.mistakes.items()
        for m in mistakes
        if not counts.get(m.exercise, {}).get(m.summary)
    ]
    assert not uncounted, f"known mistakes the report does not count (grading seed {graded.seed}):\n" + "\n".join(
        uncounted
    )


def test_failed_checks_show_a_message_not_a_traceback(graded):
    """A failing test cell's output is the check's message alone, without code frames, from both graders."""
    course_blank = nbformat.read(graded.course.notebook("autograded", graded.assignment, "blank"), as_version=4)
    for grader, notebook in {"nbgrader autograde": graded.plain_blank, "cnn-course grade": course_blank}.items():
        errors = [
            out
            for cell in notebook.cells
            if cell.cell_type == "code"
            for out in cell.get("outputs", [])
            if out.output_type == "error"
        ]
        assert errors, grader
        for error in errors:
            assert error.ename == "CheckFailure", (grader, error.ename)
            assert len(error.traceback) == 1 and "NotImplementedError" in error.evalue, grader


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
    feedback = sorted(graded.course.folder("feedback").glob(f"*/{graded.assignment}/*.html"))
    assert len(feedback) == len(PLAIN) + len(graded.mistakes)
    explained = 0
    for page in feedback:
        text = page.read_text()
        for line in hidden:
            name = line.split("(")[0].split()[-1]
            assert name not in text, f"{page}: feedback shows hidden code ({name})"
        explained += "Hidden check" in text and "grading seed" in text
    assert explained, "no feedback page explains a failed hidden check"
