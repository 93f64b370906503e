"""A course whose nbgrader_config.py names other folders is graded, reported and given feedback in those."""

import json

import nbformat
import pytest
from course import Course
from runs import grade
from traitlets.config.loader import ConfigFileNotFound

from autograder.instructors.cli import main
from autograder.instructors.course import CourseFolder
from autograder.instructors.grading.state import state_file
from autograder.instructors.report.collect import collect
from autograder.instructors.submissions import solved

ASSIGNMENT = "ch01_autograd"
RENAMED = """
c.CourseDirectory.submitted_directory = "incoming"
c.CourseDirectory.autograded_directory = "marked"
c.CourseDirectory.feedback_directory = "returned"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(os.path.dirname(__file__), "grades", "course.db")
c.ZipCollectApp.downloaded_directory = "lms"
"""
DEFAULT_NAMES = ("submitted", "autograded", "feedback", "gradebook.db", "downloaded")


def test_the_course_folder_takes_its_paths_from_nbgrader(tmp_path):
    """Folders, a student's folders, the gradebook and the LMS inbox follow the configuration."""
    (tmp_path / "nbgrader_config.py").write_text("import os\nc = get_config()" + RENAMED)
    course = CourseFolder(tmp_path)
    assert course.folder("submitted") == tmp_path / "incoming"
    assert course.submission("autograded", "ada", "a1") == tmp_path / "marked" / "ada" / "a1"
    assert course.submission("source", ".", "a1") == tmp_path / "source" / "a1"
    assert course.gradebook == tmp_path / "grades" / "course.db"
    assert course.archive("a1") == tmp_path / "lms" / "a1" / "archive"
    for student in ("ada", "bob"):
        (tmp_path / "incoming" / student / "a1").mkdir(parents=True)
    (tmp_path / "incoming" / "cleo" / "a2").mkdir(parents=True)
    assert course.submissions("submitted", "a1") == {s: tmp_path / "incoming" / s / "a1" for s in ("ada", "bob")}


def test_a_broken_config_fails_loudly(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.nope = undefined_name\n")
    with pytest.raises(NameError):
        CourseFolder(tmp_path)
    with pytest.raises(ConfigFileNotFound):
        CourseFolder(tmp_path / "missing")


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Course:
    """Two students of a course with renamed folders, graded by `cnn-course grade`."""
    course = Course(tmp_path_factory.mktemp("renamed"), config=RENAMED)
    course.gradebook.parent.mkdir()
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    release, solution = course.read("release", ASSIGNMENT), course.read("source", ASSIGNMENT)
    course.submit("solution", ASSIGNMENT, solved(release, solution))
    course.submit("blank", ASSIGNMENT, release)
    done = grade(course.root)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.startswith("2 graded now"), done.stdout
    return course


@pytest.mark.slow
def test_grade_reads_and_writes_the_configured_folders(renamed):
    """Submissions come from incoming/, graded notebooks and the run's record go to marked/,
    grades to the configured gradebook; nothing lands in nbgrader's default folders."""
    for student in ("solution", "blank"):
        assert renamed.notebook("autograded", ASSIGNMENT, student).is_file()
    assert state_file(renamed) == renamed.root / "marked" / ".grading-state.json"
    assert set(json.loads(state_file(renamed).read_text())) == {f"{ASSIGNMENT}/solution", f"{ASSIGNMENT}/blank"}
    assert all(
        grade.score == grade.max_score
        for grade in renamed.grades(ASSIGNMENT, "solution").values()
        if not grade.needs_manual_grade
    )
    assert not any(grade.score for grade in renamed.grades(ASSIGNMENT, "blank").values())
    assert not [name for name in DEFAULT_NAMES if (renamed.root / name).exists()]
    again = grade(renamed.root)
    assert again.stdout.startswith("0 graded now, 2 unchanged"), again.stdout


@pytest.mark.slow
def test_the_report_reads_the_configured_folders(renamed, tmp_path):
    """The report finds the gradebook, the marked notebooks' failed checks and the run's record."""
    assert main(["--root", str(renamed.root), "report", "--output", "report.html"]) == 0
    assert "2 submissions, 2 of them graded" in (renamed.root / "report.html").read_text()
    results = collect(renamed)
    assert {check.student for check in results.checks if check.message} == {"blank"}
    copy = Course.copy_of(renamed, tmp_path / "copy")
    recorded = json.loads(state_file(copy).read_text())
    recorded[f"{ASSIGNMENT}/blank"].update(status="flagged", reasons=["replaced torch.allclose"])
    state_file(copy).write_text(json.dumps(recorded))
    assert [s.student for s in collect(copy).submissions if not s.graded] == ["blank"]


@pytest.mark.slow
def test_feedback_and_its_mathjax_go_to_the_configured_folder(renamed):
    renamed.nbgrader("generate_feedback", ASSIGNMENT, "--student", "solution")
    page = renamed.submission("feedback", "solution", ASSIGNMENT) / f"{ASSIGNMENT}.html"
    assert page.is_file() and "../../mathjax/tex-chtml-full.js" in page.read_text()
    assert (renamed.folder("feedback") / "mathjax" / "tex-chtml-full.js").is_file()
    assert not (renamed.root / "feedback").exists()
    assert nbformat.read(renamed.notebook("autograded", ASSIGNMENT, "solution"), as_version=4).cells
