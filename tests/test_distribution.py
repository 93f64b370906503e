"""The instructors' package builds as a distribution PyPI would accept (the students' package is
built and checked with every student edition: tests/test_student_edition.py)."""

import subprocess
import sys
import zipfile

import pytest
from course import REPO

import autograder

pytestmark = pytest.mark.slow


def test_the_instructors_package_builds_and_passes_twine(tmp_path):
    """``python -m build`` gives a wheel and an sdist at the package's version; ``twine check``
    passes; the wheel holds the recordings, the hidden checks and the edition's templates."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    version = autograder.__version__
    wheel = tmp_path / f"cnn_course_autograder-{version}-py3-none-any.whl"
    sdist = tmp_path / f"cnn_course_autograder-{version}.tar.gz"
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)], check=True)
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        "autograder/chapters/ch02_cross_correlation/recorded.pt",
        "autograder/chapters/ch02_cross_correlation/hidden.py",
        "autograder/instructors/edition/pyproject.toml.in",
    ):
        assert name in names
