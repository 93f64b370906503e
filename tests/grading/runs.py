"""`cnn-course grade` as the grading tests run it: short limits, a fixed grading seed."""

import subprocess
from pathlib import Path

from autograder.instructors.course import nbgrader_env

LIMITS = "--cell-timeout 5 --wall-time 40 --memory 512 --output 1 --tmp 64 --workers 2".split()
SEED = {"AUTOGRADER_SEED": "20261201"}


def command(root: Path, *extra: str) -> list[str]:
    """The command line that grades the course at ``root`` with the tests' limits."""
    return ["cnn-course", "--root", str(root), "grade", "--quiet", *LIMITS, *extra]


def environment() -> dict[str, str]:
    return {**nbgrader_env(), **SEED}


def grade(root: Path, *extra: str) -> subprocess.CompletedProcess:
    """Grade the course at ``root``; its exit status and output."""
    return subprocess.run(command(root, *extra), env=environment(), capture_output=True, text=True, timeout=600)
