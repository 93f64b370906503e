"""What instructors get after grading: feedback pages, the grades CSV and the class report."""

import csv
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ASSIGNMENT, GradedClass

pytestmark = pytest.mark.slow

SCRIPT_SOURCES = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)


def feedback_pages(graded: GradedClass) -> list[Path]:
    """Every feedback page of the class."""
    return sorted((graded.course.root / "feedback").glob(f"*/{graded.assignment}/*.html"))


def test_feedback_loads_mathjax_from_the_course(graded_class: GradedClass) -> None:
    """Every feedback page loads MathJax from a local file that exists, none from a CDN."""
    pages = feedback_pages(graded_class)
    assert len(pages) == len(graded_class.students) - 1, "every graded student but the crasher has feedback"
    for page in pages:
        sources = SCRIPT_SOURCES.findall(page.read_text())
        mathjax = [source for source in sources if "mathjax" in source.lower()]
        assert mathjax, f"{page.name} loads no MathJax"
        for source in mathjax:
            assert not urlsplit(source).scheme, f"{page}: MathJax from {source}"
            assert (page.parent / unquote(source)).resolve().is_file(), f"{page}: {source} does not exist"
        assert "cdnjs" not in page.read_text() and "cdn.jsdelivr" not in page.read_text()


def test_grades_csv_has_one_row_per_student(graded_class: GradedClass) -> None:
    """`nbgrader export` writes every student's score: autograded points only until written answers are graded."""
    course = graded_class.course
    course.nbgrader("export", "--to", "grades.csv")
    with open(course.root / "grades.csv", newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file) if row["assignment"] == ASSIGNMENT}
    assert set(rows) == set(graded_class.students)
    autograded_points = 13 - 2  # the written answer (2 points) is not graded yet
    assert float(rows["ada"]["score"]) == autograded_points
    assert float(rows["ada"]["max_score"]) == 13
    assert float(rows["blank"]["score"]) == 0
    assert 0 < float(rows["bob"]["score"]) < autograded_points
