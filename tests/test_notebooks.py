"""House rules of the committed notebooks."""

import ast
import re
import subprocess
import sys

import nbformat
import pytest
from course import ASSIGNMENTS, REPO

from autograder.instructors.edition import wheel_name
from autograder.instructors.submissions import exercise_of, nbgrader_meta
from autograder.runtime.validate import HIDDEN_SUFFIX

TRACKED = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True).stdout.split()
SOLUTIONS = [REPO / "solutions" / a / f"{a}.ipynb" for a in ASSIGNMENTS]


@pytest.mark.parametrize("path", TRACKED)
def test_committed_notebook_has_no_outputs(path):
    """Committed notebooks carry no outputs and no execution counts."""
    notebook = nbformat.read(REPO / path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count)
    ]
    assert not dirty, f"cells {dirty} carry outputs: clear them before committing"


def test_every_assignment_has_a_committed_exercise():
    """Each solutions/ assignment has its generated student notebook in exercises/."""
    for assignment in ASSIGNMENTS:
        assert f"exercises/{assignment}/{assignment}.ipynb" in TRACKED


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_test_cells_follow_the_conventions(path):
    """Test cells start with a one-line docstring, name their exercise, and hide only a helper call."""
    notebook = nbformat.read(path, as_version=4)
    answers = {nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c).get("solution")}
    tests = [c for c in notebook.cells if nbgrader_meta(c).get("grade") and c.cell_type == "code"]
    assert tests
    for cell in tests:
        grade_id = nbgrader_meta(cell)["grade_id"]
        assert exercise_of(grade_id) in answers, f"{grade_id} does not name an answer cell"
        first = cell.source.splitlines()[0]
        assert first.startswith('"""') and first.endswith('"""') and len(first) > 6, grade_id
        assert ("### BEGIN HIDDEN TESTS" in cell.source) == grade_id.endswith(HIDDEN_SUFFIX), (
            f"{grade_id}: a hidden test cell's grade_id ends in {HIDDEN_SUFFIX}, a visible one's does not"
        )
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            statements = ast.parse(hidden).body
            assert all(isinstance(s, (ast.ImportFrom, ast.Expr)) for s in statements), (
                f"{grade_id}: hidden checks belong in autograder.checks, the cell only calls them"
            )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_test_cells_let_run_all_go_on_and_echo_nothing(path):
    """A failing test cell does not stop "Run All" (Jupyter's raises-exception tag), and the
    student's version of a hidden test cell ends in a statement with no value to echo as Out[n]
    (nbgrader would also try to read a value as a partial score and warn)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in (c for c in notebook.cells if nbgrader_meta(c).get("grade") and c.cell_type == "code"):
        grade_id = nbgrader_meta(cell)["grade_id"]
        assert "raises-exception" in cell.metadata.get("tags", []), grade_id
        shown = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        last = ast.parse(shown).body[-1]
        assert not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant)), grade_id


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_points_table_matches_the_test_cells(path):
    """The intro's points table gives each exercise the points its test cells carry."""
    notebook = nbformat.read(path, as_version=4)
    intro = next(cell.source for cell in notebook.cells if nbgrader_meta(cell).get("grade_id") == "intro")
    table = {name: (int(v), int(h)) for name, v, h in re.findall(r"\| `(\w+)` \| (\d+) \| (\d+) \|", intro)}
    points = {
        nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"]
        for c in notebook.cells
        if nbgrader_meta(c).get("grade")
    }
    exercises = {exercise_of(grade_id) for grade_id in points} - {None}
    assert set(table) == exercises, "the table lists other exercises than the test cells grade"
    for exercise, (visible, hidden) in table.items():
        assert points[f"test_{exercise}_chapter_example"] == visible, exercise
        assert points[f"test_{exercise}_hidden_cases"] == hidden, exercise
    written = sum(p for grade_id, p in points.items() if grade_id.startswith("written_"))
    assert re.search(r"\| written question \| (\d+) \(by hand\)", intro)[1] == str(written)


FIRST_CELL_RUN = """
import importlib.util, sys
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *args: None if name == "autograder" else real(name, *args)
from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.instance().run_cell(sys.stdin.read())
"""


def first_cell_says(folder, key: str) -> str:
    """What the exercise's first code cell shows in Jupyter (IPython) in ``folder`` without the package."""
    notebook = nbformat.read(REPO / "exercises" / key / f"{key}.ipynb", as_version=4)
    source = next(c.source for c in notebook.cells if c.cell_type == "code")
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CELL_RUN], input=source, cwd=folder, capture_output=True, text=True, check=True
    )
    return (done.stdout + done.stderr).strip()


@pytest.mark.parametrize("key", ASSIGNMENTS)
def test_first_cell_says_how_to_install_the_package(key, tmp_path):
    """Without the package, the first cell shows one sentence, no traceback: the exact command
    that installs the kit's wheel when it lies beside the notebook, else where to get the kit."""
    alone = first_cell_says(tmp_path, key)
    assert alone.count("\n") == 0 and "kit" in alone and "Traceback" not in alone, alone
    (tmp_path / wheel_name()).touch()
    beside = first_cell_says(tmp_path, key)
    assert beside == (
        f"The course's package is missing: run  %pip install {wheel_name()}  in a new cell, then restart the kernel."
    )


def test_students_page_times_every_visible_check():
    """The students' page gives the measured time of every visible check (make benchmark-checks), each under 1 s."""
    page = (REPO / "book" / "students.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (ch\d\d_\w+) \| `(\w+)` \| ([\d.]+) \|$", page, re.MULTILINE)
    timed = {(key, grade_id): float(seconds) for key, grade_id, seconds in rows}
    visible = {
        (path.parent.name, nbgrader_meta(cell)["grade_id"])
        for path in SOLUTIONS
        for cell in nbformat.read(path, as_version=4).cells
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code" and "BEGIN HIDDEN TESTS" not in cell.source
    }
    assert set(timed) == visible, set(timed) ^ visible
    assert all(seconds < 1 for seconds in timed.values()), timed
