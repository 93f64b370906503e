"""The students' package works outside the repository, as a student gets it.

One environment for the module: the student edition's README setup command, run as written
in a temporary copy of the edition (a fresh virtual environment: the wheel from wheels/,
PyTorch and the rest from the registry, JupyterLab). In it: every chapter's visible checks
import, the README's second command serves the exercises, and an exercise from a kit (its
README's install command run in its folder) runs end to end, correct (every visible check
passes) and with a known mistake (its hint shows).
(What the first cell says where the package is missing: tests/test_notebooks.py.)
"""

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from answers import named
from course import REPO

from autograder import chapters
from autograder.instructors.edition import write_edition
from autograder.instructors.submissions import answers, fill, nbgrader_meta

pytestmark = pytest.mark.slow

KEY = "ch02_cross_correlation"
INSTALL_SECONDS = 900
RUN = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=300, allow_errors=True, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[1])
"""


def readme_commands(readme: str) -> list[str]:
    """The commands of the README's first shell block."""
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    return [line for line in block[1].splitlines() if line.strip()]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    """A student edition set up with its README's first command (the shared environment)."""
    edition = write_edition(tmp_path_factory.mktemp("student") / "edition")
    setup = readme_commands((edition / "README.md").read_text(encoding="utf-8"))[0]
    # As written; PIP_COMPILE=0 only skips compiling PyTorch's files ahead of time (tens of seconds).
    done = subprocess.run(
        ["bash", "-c", setup],
        cwd=edition,
        env={**os.environ, "PIP_COMPILE": "0"},
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return edition


def python(edition: Path) -> str:
    return str(edition / ".venv" / "bin" / "python")


def run_notebook(edition: Path, notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Execute ``notebook`` in ``folder`` with the edition's environment; return it with its outputs."""
    path = folder / "run.ipynb"
    nbformat.write(notebook, path)
    subprocess.run([python(edition), "-c", RUN, str(path)], cwd=folder, check=True, capture_output=True, timeout=600)
    return nbformat.read(path, as_version=4)


def outputs(cell) -> str:
    """A cell's output text: its streams, and its error's name and message."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


def visible_cells(notebook: nbformat.NotebookNode) -> list:
    return [c for c in notebook.cells if nbgrader_meta(c).get("grade_id", "").endswith("_chapter_example")]


@pytest.fixture(scope="module")
def kit(edition, tmp_path_factory) -> Path:
    """The chapter's kit, unzipped into a folder of its own, its README's install command run
    there (with the environment's Python: the same packages, so it only has to resolve)."""
    folder = tmp_path_factory.mktemp("kit")
    with zipfile.ZipFile(edition / "kits" / f"{KEY}.zip") as data:
        data.extractall(folder)
    readme = (folder / KEY / "README.md").read_text(encoding="utf-8")
    install = re.search(r"`(python -m pip install [^`]+)`", readme)[1].split()
    done = subprocess.run(
        [python(edition), *install[1:]], cwd=folder / KEY, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return folder / KEY


def test_the_package_holds_no_instructors_side(edition):
    """In the students' environment every chapter's visible checks import, and no hidden one exists."""
    script = (
        "import importlib, importlib.util\n"
        f"keys = {list(chapters.KEYS)!r}\n"
        "for key in keys: importlib.import_module(f'autograder.chapters.{key}.checks')\n"
        "print(sum(importlib.util.find_spec(f'autograder.chapters.{k}.hidden') is not None for k in keys))\n"
    )
    done = subprocess.run([python(edition), "-c", script], capture_output=True, text=True, cwd="/", check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0"


def test_correct_answers_pass_every_visible_check(edition, kit):
    """The kit's notebook with correct answers: every visible check passes, nothing errors."""
    notebook = nbformat.read(kit / f"{KEY}.ipynb", as_version=4)
    solution = nbformat.read(REPO / "solutions" / KEY / f"{KEY}.ipynb", as_version=4)
    ran = run_notebook(edition, fill(notebook, answers(solution)), kit)
    errors = [outputs(c) for c in ran.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == []
    assert all("Visible checks passed." in outputs(c) for c in visible_cells(ran))


def test_a_known_mistake_gets_its_hint_from_the_validate_command(edition, kit):
    """The kit's notebook with a known mistake, checked with the students' `cnn-course validate`:
    its visible check fails with the mistake's hint, and the command exits 1."""
    mistake = named("corr2d_flips_kernel")
    notebook = nbformat.read(kit / f"{KEY}.ipynb", as_version=4)
    solution = nbformat.read(REPO / "solutions" / KEY / f"{KEY}.ipynb", as_version=4)
    nbformat.write(fill(notebook, {**answers(solution), "corr2d": mistake.source}), kit / "mistake.ipynb")
    command = edition / ".venv" / "bin" / "cnn-course"
    done = subprocess.run([command, "validate", "mistake.ipynb"], cwd=kit, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "FAILED test_corr2d_chapter_example" in done.stdout
    assert f"Hint: {mistake.hint}" in " ".join(done.stdout.split())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_readme_second_command_serves_the_exercises(edition):
    """The README's second command starts JupyterLab on the exercises (as root here: --allow-root)."""
    command = readme_commands((edition / "README.md").read_text(encoding="utf-8"))[1].split()
    port = free_port()
    server = subprocess.Popen(
        [
            *command,
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--IdentityProvider.token=",
            "--ServerApp.ip=127.0.0.1",
        ],
        cwd=edition,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        listing = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/", timeout=2) as reply:
                    listing = json.load(reply)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer"
        assert sorted(item["name"] for item in listing["content"]) == sorted(chapters.KEYS)
    finally:
        server.terminate()
        server.wait(timeout=30)
