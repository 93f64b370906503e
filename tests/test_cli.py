"""The instructors' command: config errors are fatal, validation shows every failure whole."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from answers import named
from course import ASSIGNMENTS, REPO

from autograder.instructors.course import load_config, nbgrader, nbgrader_env
from autograder.instructors.submissions import solved, with_mistake

CLI = [sys.executable, "-m", "autograder"]
ASSIGNMENT = "ch02_cross_correlation"


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


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory) -> dict[str, Path]:
    """Chapter 2's exercise as a student downloads it, alone in a folder outside the course: as
    released, solved, and solved but for corr2d, one row and one column short (a known mistake)."""
    release = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    mistake = named("corr2d_off_by_one")
    versions = {
        "blank": release,
        "solved": solved(release, solution),
        "mistake": with_mistake(release, solution, mistake.exercise, mistake.source),
    }
    folder = tmp_path_factory.mktemp("downloads")
    for name, notebook in versions.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return {name: folder / f"{name}.ipynb" for name in versions}


@pytest.mark.slow
def test_validate_shows_each_failing_cell_whole(downloaded):
    """Outside the course folder, `cnn-course validate` names each failing test cell and prints its
    whole message, hint included, with no warning about hidden cells; it exits 1."""
    done = run("validate", str(downloaded["mistake"]), cwd=downloaded["mistake"].parent)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED test_corr2d_chapter_example" in done.stdout
    assert f"Hint: {named('corr2d_off_by_one').hint}" in " ".join(done.stdout.split())
    assert "ok     test_corr2d_vectorized_chapter_example" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr and "converted to a float" not in done.stdout + done.stderr
    assert not done.stderr.strip(), done.stderr


@pytest.mark.slow
def test_validate_passes_a_solved_notebook_and_inverts_on_a_blank_one(downloaded):
    """Exit 0 for the solved exercise; the blank one fails every visible check (so --invert passes),
    each saying to write a solution first."""
    cwd = downloaded["solved"].parent
    solved_run = run("validate", str(downloaded["solved"]), cwd=cwd)
    assert solved_run.returncode == 0, solved_run.stdout + solved_run.stderr
    blank = run("validate", "--invert", str(downloaded["blank"]), cwd=cwd)
    assert blank.returncode == 0 and "replace it with your solution first" in blank.stdout, blank.stdout


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
