"""What instructors get after grading: feedback pages, the grades CSV and the class report."""

import csv
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from course import Course

from autograder.instructors.cli import main
from autograder.instructors.grading.state import state_file
from autograder.instructors.report.collect import Check, ClassResults, Limit, Submission, collect
from autograder.instructors.report.page import render
from autograder.instructors.report.summary import Rate, exercise_pass_rates, known_mistakes, most_failed_checks

SCRIPT_SOURCES = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
# The feedback template's fallback: a CDN's MathJax, asked for when the local copy fails to load.
MATHJAX_FALLBACK = re.compile(r"""<script\b[^>]*\bonerror="[^"]*s\.src = 'https://cdn\.jsdelivr\.net/[^']+'""")
# Every way a page can make the browser fetch something.
FETCHES = re.compile(
    r"""\b(?:src|href|srcset|action|data)\s*=\s*["']?([^"'\s>]+)"""
    r"""|url\(\s*["']?([^"')]+)|@import|<link\b|<script\b""",
    re.IGNORECASE,
)


def feedback_pages(graded) -> list[Path]:
    """Every feedback page of the class."""
    return sorted(graded.course.folder("feedback").glob(f"*/{graded.assignment}/*.html"))


@pytest.mark.slow
def test_feedback_loads_mathjax_from_the_course(graded_class) -> None:
    """Every feedback page loads MathJax from a local file that exists, and from a CDN only
    if that file fails to load."""
    pages = feedback_pages(graded_class)
    assert len(pages) == len(graded_class.students) - 1, "every graded student but the crasher has feedback"
    for page in pages:
        sources = SCRIPT_SOURCES.findall(page.read_text())
        mathjax = [source for source in sources if "mathjax" in source.lower()]
        assert mathjax, f"{page.name} loads no MathJax"
        for source in mathjax:
            assert not urlsplit(source).scheme, f"{page}: MathJax from {source}"
            assert (page.parent / unquote(source)).resolve().is_file(), f"{page}: {source} does not exist"
        text = page.read_text()
        assert "cdnjs" not in text and text.count("cdn.jsdelivr") == len(MATHJAX_FALLBACK.findall(text)) == 1


@pytest.mark.slow
def test_grades_csv_has_one_row_per_student(graded_class) -> None:
    """`nbgrader export` writes every student's score: autograded points only until written answers are graded."""
    course = graded_class.course
    course.nbgrader("export", "--to", "grades.csv")
    with open(course.root / "grades.csv", newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file) if row["assignment"] == graded_class.assignment}
    assert set(rows) == set(graded_class.students)
    autograded_points = 16 - 2  # the written answer (2 points) is not graded yet
    assert float(rows[graded_class.writer]["score"]) == autograded_points
    assert float(rows[graded_class.writer]["max_score"]) == 16
    assert float(rows["blank"]["score"]) == 0
    assert 0 < float(rows["bob"]["score"]) < autograded_points


@pytest.fixture(scope="module")
def report(graded_class) -> str:
    """The class report, written by `cnn-course report`."""
    root = graded_class.course.root
    assert main(["--root", str(root), "report", graded_class.assignment, "--output", "report.html"]) == 0
    return (root / "report.html").read_text()


@pytest.fixture(scope="module")
def results(graded_class) -> ClassResults:
    return collect(graded_class.course, [graded_class.assignment])


@pytest.mark.slow
def test_report_counts_every_submission(results: ClassResults, report: str, graded_class) -> None:
    """All eight submissions are counted, seven of them graded (the crasher's kernel died)."""
    assert sorted(s.student for s in results.submissions) == sorted(graded_class.students)
    assert [s.student for s in results.submissions if not s.graded] == [graded_class.crasher]
    assert "8 submissions, 7 of them graded" in report
    assert "<h2>Score distribution</h2>" in report and "score histogram of ch02_cross_correlation" in report


@pytest.mark.slow
def test_report_pass_rates(results: ClassResults, report: str, graded_class) -> None:
    """corr2d is passed by the three students whose corr2d is the solution's; conv2d_flipped
    (built on corr2d) by ada alone (eve's is wrong, finn's never ran); corr2d_vectorized and corr1d by all but
    blank."""
    assert exercise_pass_rates(results, graded_class.assignment) == [
        Rate("corr2d", 3, 7),
        Rate("conv2d_flipped", 1, 7),
        Rate("corr2d_vectorized", 6, 7),
        Rate("corr1d", 6, 7),
    ]
    assert "<td class=number>43%</td>" in report


@pytest.mark.slow
def test_report_lists_the_most_failed_checks(results: ClassResults) -> None:
    """The conv2d_flipped checks failed most (6 of 7), with what the check said, not its preamble."""
    failed = most_failed_checks(results)
    assert {(f.grade_id, f.failures, f.total) for f in failed[:2]} == {
        ("test_conv2d_flipped_chapter_example", 6, 7),
        ("test_conv2d_flipped_hidden_cases", 6, 7),
    }
    hidden = next(f for f in failed if f.grade_id == "test_corr2d_hidden_cases")
    assert hidden.failures == 4 and not hidden.message.startswith("Hidden check")


@pytest.mark.slow
def test_report_shows_the_limits_hit(results: ClassResults, report: str, graded_class) -> None:
    """The infinite loop timed out, the dead kernel left nothing graded; no one else hit a limit."""
    limits = {(limit.student, limit.status) for limit in results.limits}
    assert limits == {(graded_class.looper, "timed out"), (graded_class.crasher, "not graded")}
    section = report.split("<h2>Submissions that hit a limit</h2>")[1].split("<h2>")[0]
    assert "ran over the cell timeout" in section and "no autograded notebook" in section


@pytest.mark.slow
def test_report_takes_the_class_graders_reasons(graded_class, tmp_path: Path) -> None:
    """After `cnn-course grade`, the status and reasons it recorded replace what the notebooks
    suggest, and a flagged submission no longer counts in the statistics."""
    course = Course.copy_of(graded_class.course, tmp_path / "course")
    recorded = {
        "eve": {"digest": "-", "status": "flagged", "reasons": ["replaced torch.testing.assert_close"]},
        graded_class.crasher: {"digest": "-", "status": "killed", "reasons": ["its kernel went over the memory cap"]},
    }
    state_file(course).write_text(json.dumps({f"{graded_class.assignment}/{s}": e for s, e in recorded.items()}))
    results = collect(course)
    assert [s.student for s in results.submissions if not s.graded] == ["eve", graded_class.crasher]
    limits = {(limit.student, limit.status, limit.reason) for limit in results.limits}
    assert limits == {
        ("eve", "flagged", "replaced torch.testing.assert_close"),
        (graded_class.crasher, "killed", "its kernel went over the memory cap"),
        (graded_class.looper, "timed out", "cell conv2d_flipped ran over the cell timeout and was interrupted"),
    }


@pytest.mark.slow
def test_report_counts_known_mistakes(results: ClassResults, report: str, graded_class) -> None:
    """Two students flipped corr2d's kernel, one was off by one, one forgot conv2d_flipped's flip."""
    counts = known_mistakes(results, graded_class.assignment)
    assert counts["corr2d"] == {
        "flips the kernel (computes a true convolution)": 2,
        "output one row and one column short": 1,
    }
    assert counts["conv2d_flipped"] == {"does not flip the kernel (returns the cross-correlation)": 1}
    assert "known mistakes made in corr2d" in report


@pytest.mark.slow
def test_report_fetches_nothing(report: str) -> None:
    """The report is one self-contained page: its only references are embedded data: URIs."""
    fetched = [
        match.group(0)
        for match in FETCHES.finditer(report)
        if not (match.group(1) or match.group(2) or "").startswith("data:")
    ]
    assert not fetched, fetched
    assert report.count('<img src="data:image/svg+xml;base64,') >= 4


def test_report_escapes_what_students_wrote() -> None:
    """A check message or a student id that holds HTML is shown as text, never run."""
    hostile = '<script>alert("pwned")</script>'
    results = ClassResults(
        ["a1"],
        [Submission("a1", hostile, 0.0, 4.0, True)],
        [Check("a1", hostile, "test_f_chapter_example", 0.0, 1.0, f"f(x) raised ValueError: {hostile}")],
        [Limit("a1", hostile, "timed out", hostile)],
    )
    page = render(results)
    assert "<script" not in page and page.count("&lt;script&gt;") >= 3
