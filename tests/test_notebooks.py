"""House rules of the committed notebooks."""

import ast
import subprocess

import nbformat
import pytest
from course import ASSIGNMENTS, REPO

from autograder.submissions import exercise_of, nbgrader_meta

TRACKED = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True).stdout.split()
SOLUTIONS = [REPO / "solutions" / a / f"{a}.ipynb" for a in ASSIGNMENTS]


@pytest.mark.parametrize("path", TRACKED)
def test_committed_notebook_has_no_outputs(path):
    """Committed notebooks carry no outputs and no execution counts."""
    notebook = nbformat.read(REPO / path, as_version=4)
    nbformat.validate(notebook)
    dirty = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
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
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            statements = ast.parse(hidden).body
            assert all(isinstance(s, (ast.ImportFrom, ast.Expr)) for s in statements), (
                f"{grade_id}: hidden checks belong in autograder.checks, the cell only calls them"
            )
