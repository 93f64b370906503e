"""`cnn-course grade` on a class of honest and hostile students, with short limits."""

import hashlib
import os
from pathlib import Path

import pytest
from course import Course
from hostile import ASSIGNMENT, CASES
from nbgrader.api import Gradebook
from runs import SEED, grade

from autograder.chapters import mistakes_for
from autograder.instructors.submissions import answers, nbgrader_meta, solved, with_mistake

pytestmark = pytest.mark.slow

HONEST_ASSIGNMENTS = ("ch01_autograd", "ch02_cross_correlation")
# Free space that grading may take or give back on the machine's disk and /dev/shm: its notebooks
# and gradebook, and what else runs meanwhile. The disk-filling student would leave gigabytes.
FREE_SPACE_MARGIN = 256 * 2**20


def honest_class(course: Course) -> None:
    """solution, blank and one-mistake students for every honest assignment."""
    for assignment in HONEST_ASSIGNMENTS:
        course.nbgrader("generate_assignment", assignment, "--force")
        release, solution = course.read("release", assignment), course.read("source", assignment)
        exercise = next(iter(answers(solution)))
        course.submit("solution", assignment, solved(release, solution))
        course.submit("blank", assignment, release)
        mistake = mistakes_for(exercise)[0].source
        course.submit("mistake", assignment, with_mistake(release, solution, exercise, mistake))


def folder_digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            sha.update(path.name.encode() + path.read_bytes())
    return sha.hexdigest()


def free_space() -> dict[str, int]:
    """Bytes free on the machine's disk and in its /dev/shm."""
    return {path: os.statvfs(path).f_bavail * os.statvfs(path).f_frsize for path in ("/", "/dev/shm")}


class Graded:
    """The class graded by `cnn-course grade`, and the honest students graded by plain nbgrader."""

    def __init__(self, root: Path, baseline: Path) -> None:
        self.course = Course(root)
        honest_class(self.course)
        self.plain = Course.copy_of(self.course, baseline)
        self.honest = {
            a: {s: folder_digest(self.course.submission("submitted", s, a)) for s in ("solution", "blank", "mistake")}
            for a in HONEST_ASSIGNMENTS
        }
        release = self.course.read("release", ASSIGNMENT)
        for case in CASES:
            folder = self.course.submission("submitted", f"hostile-{case.name}", ASSIGNMENT)
            folder.mkdir(parents=True)
            for name, text in case.files(release, root).items():
                (folder / name).write_text(text)
        free_before = free_space()
        self.run = grade(root)
        self.space_taken = {path: free_before[path] - free for path, free in free_space().items()}
        for assignment in HONEST_ASSIGNMENTS:
            self.plain.nbgrader("autograde", assignment, env=SEED)

    def summary_line(self, student: str) -> str:
        lines = [line for line in self.run.stdout.splitlines() if f" {student}:" in line]
        assert lines, f"{student} is not in the summary:\n{self.run.stdout}"
        return lines[0]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    return Graded(tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("plain"))


def test_the_run_finishes_and_its_exit_status_reports_the_failures(graded):
    """Exit status 1: some submissions failed or were flagged; every hostile student is in the summary."""
    assert graded.run.returncode == 1, graded.run.stdout + graded.run.stderr[-3000:]
    for case in CASES:
        if case.reason:
            graded.summary_line(f"hostile-{case.name}")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_hostile_case_ends_with_its_reason(graded, case):
    """The summary gives the case's status and reason; a silent case shows the sandbox's error."""
    student = f"hostile-{case.name}"
    if case.reason:
        line = graded.summary_line(student)
        assert line.split()[0:2][0] == case.status.split()[0], line
        assert case.reason in line, line
    else:
        notebook = graded.course.read("autograded", ASSIGNMENT, student)
        answer = next(cell for cell in notebook.cells if nbgrader_meta(cell).get("grade_id") == "vjp")
        shown = "\n".join(str(output) for output in answer.outputs)
        assert case.output in shown, shown
        assert "HIDDEN TESTS" not in shown and "SOLUTION" not in shown


def test_no_hostile_submission_earns_a_point(graded):
    """A blank exercise with hostile code earns nothing, whatever it did; test cells keep their points."""
    with Gradebook(graded.course.db_url) as gradebook:
        for case in CASES:
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, f"hostile-{case.name}")
            auto = [grade for grade in notebook.grades if not grade.name.startswith("written_")]
            assert auto and all(grade.score == 0 for grade in auto), (case.name, [(g.name, g.score) for g in auto])
            assert {grade.name: grade.max_score for grade in auto} == {
                "test_vjp_chapter_example": 1,
                "test_vjp_hidden_cases": 3,
            }


def test_files_written_to_tmp_vanish_with_their_kernel(graded):
    """The student who filled /tmp and /dev/shm (hostile-fill-tmp) filled a small tmpfs of its
    kernel's own, gone with the kernel: the machine's free space is what it was."""
    for path, taken in graded.space_taken.items():
        assert taken < FREE_SPACE_MARGIN, f"{path} has {taken / 2**20:.0f} MB less free space after grading"


@pytest.mark.parametrize("assignment", HONEST_ASSIGNMENTS)
def test_honest_students_get_plain_nbgraders_grades(graded, assignment):
    """Same scores as `nbgrader autograde` with the same grading seed, cell by cell."""
    for student in ("solution", "blank", "mistake"):
        assert graded.course.grades(assignment, student) == graded.plain.grades(assignment, student), student


def test_honest_students_files_are_untouched(graded):
    """Nothing a hostile student ran changed another student's submitted files."""
    for assignment, students in graded.honest.items():
        for student, digest in students.items():
            assert folder_digest(graded.course.submission("submitted", student, assignment)) == digest


def test_the_gradebook_is_consistent_and_nbgrader_reads_it(graded):
    """nbgrader's API finds every submission with all its grade cells; export and feedback work."""
    course = graded.course
    assert oct(os.stat(course.gradebook).st_mode & 0o777) == "0o600"
    with Gradebook(course.db_url) as gradebook:
        cells = {a: len(gradebook.find_notebook(a, a).grade_cells) for a in HONEST_ASSIGNMENTS}
        for assignment in HONEST_ASSIGNMENTS:
            hostile = [f"hostile-{c.name}" for c in CASES] if assignment == ASSIGNMENT else []
            students = ["solution", "blank", "mistake", *hostile]
            for student in students:
                notebook = gradebook.find_submission_notebook(assignment, assignment, student)
                assert len(notebook.grades) == cells[assignment], student
    course.nbgrader("export", "--to", str(course.root / "grades.csv"))
    rows = (course.root / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(HONEST_ASSIGNMENTS) * (3 + len(CASES))  # nbgrader lists every student everywhere
    course.nbgrader("generate_feedback", ASSIGNMENT, "--student", "hostile-patch-autograder")
    assert list(course.submission("feedback", "hostile-patch-autograder", ASSIGNMENT).glob("*.html"))


def test_a_second_run_grades_only_what_changed(graded):
    """Unchanged submissions are skipped; a changed one is graded again."""
    again = grade(graded.course.root)
    assert "0 graded now" in again.stdout and again.returncode == 1, again.stdout
    path = graded.course.notebook("submitted", "ch01_autograd", "blank")
    path.write_text(path.read_text().replace("YOUR ANSWER HERE", "I do not know yet."))
    changed = grade(graded.course.root, "ch01_autograd")
    assert changed.stdout.startswith("1 graded now"), changed.stdout
    regraded = graded.course.grades("ch01_autograd", "blank")
    assert regraded["written_backward_gradient_argument"].needs_manual_grade  # now it has an answer
    assert {cell: grade.score for cell, grade in regraded.items()} == {
        cell: grade.score for cell, grade in graded.plain.grades("ch01_autograd", "blank").items()
    }
