"""The instructors' command: config errors are fatal, validation gates on the result."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from course import ASSIGNMENTS, REPO

from autograder.instructors.course import load_config, nbgrader, nbgrader_env

CLI = [sys.executable, "-m", "autograder"]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, env=nbgrader_env())


def test_course_config_loads():
    """The committed nbgrader_config.py loads and points solutions/ at exercises/."""
    done = run("check-config")
    assert done.returncode == 0, done.stderr
    assert "solutions/ -> exercises/" in done.stdout


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets")
def test_kernels_use_sockets_of_their_own_nbgrader_process():
    """nbgrader's kernels listen on Unix sockets named by its process, so no other process can
    take their TCP ports between pick and bind (a dead kernel fails the submission)."""
    kernels = load_config(REPO).KernelManager
    assert kernels.transport == "ipc"
    assert Path(kernels.ip).is_absolute() and Path(kernels.ip).name == f"nbgrader-{os.getpid()}"


@pytest.fixture
def broken_course(tmp_path) -> Path:
    """A course whose nbgrader_config.py imports something that does not exist."""
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "solutions", tmp_path / "solutions")
    with open(tmp_path / "nbgrader_config.py", "a") as config:
        config.write("\nfrom nbgrader.preprocessors import NoSuchPreprocessor\n")
    return tmp_path


def test_broken_config_fails_the_check(broken_course):
    """check-config exits non-zero and names the error."""
    done = run("check-config", cwd=broken_course)
    assert done.returncode != 0
    assert "NoSuchPreprocessor" in done.stderr


@pytest.mark.slow
def test_broken_config_stops_nbgrader(broken_course):
    """nbgrader itself, run the course's way, refuses to go on with a broken config."""
    done = nbgrader(
        broken_course, "generate_assignment", ASSIGNMENTS[0], "--force", "--no-db", capture_output=True, text=True
    )
    assert done.returncode != 0
    assert not (broken_course / "exercises").exists()


@pytest.mark.slow
def test_validate_passes_solution_and_fails_blank():
    """`cnn-course validate` exits 0 on the solution and 1 on the untouched exercise (one assignment:
    test_grading.py grades the solution and the blank exercise of every one)."""
    notebook = "ch02_cross_correlation/ch02_cross_correlation.ipynb"
    solution = run("validate", f"solutions/{notebook}")
    assert solution.returncode == 0, solution.stdout
    blank = run("validate", f"exercises/{notebook}")
    assert blank.returncode == 1 and "NotImplementedError" in blank.stdout


def _imports(path: Path) -> set[str]:
    """The modules a file imports (``from package import module`` counts ``package.module``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_only_the_command_line_imports_the_commands():
    """No import cycle: the command modules take the course from autograder.instructors.course,
    and only cli.py imports them (nothing of the package imports cli.py)."""
    package = REPO / "autograder" / "instructors"
    commands = {"autograder.instructors.grading.command", "autograder.instructors.report.command"}
    for path in package.rglob("*.py"):
        imported = _imports(path)
        assert "autograder.instructors.cli" not in imported, path
        if path != package / "cli.py":
            assert not imported & commands, path
    assert commands <= _imports(package / "cli.py")
