"""Make synthetic submissions from an assignment's notebooks: solved, blank, or with a known mistake.

They stand in for students in the tests (and in benchmarks): a submission starts from the
released student notebook, as a student would, and fills its answer cells. The same answers
can also run in this process (:func:`run_code_cells`).
"""

import copy
import re

import nbformat

_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.MULTILINE)
_TEST_ID = re.compile(r"^test_(?P<exercise>.+)_(chapter_example|hidden_cases)$")


def nbgrader_meta(cell) -> dict:
    """The cell's nbgrader metadata ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def exercise_of(grade_id: str) -> str | None:
    """The exercise a test cell grades: ``test_corr2d_hidden_cases`` -> ``corr2d``."""
    match = _TEST_ID.match(grade_id)
    return match["exercise"] if match else None


def answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    """The instructor's answer of every answer cell, by grade_id, without the solution markers."""
    return {
        nbgrader_meta(cell)["grade_id"]: _MARKERS.sub("", cell.source)
        for cell in solution.cells
        if nbgrader_meta(cell).get("solution")
    }


def fill(release: nbformat.NotebookNode, sources: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the student notebook with the answer cells named in ``sources`` replaced."""
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in sources:
            cell.source = sources[grade_id]
    return submission


def solved(release: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every answer cell filled with the instructor's answer."""
    return fill(release, answers(solution))


def with_mistakes(release, solution, sources: dict[str, str]) -> nbformat.NotebookNode:
    """Solved, except that the answer cells named in ``sources`` hold those sources (known
    wrong answers)."""
    return fill(release, {**answers(solution), **sources})


def with_mistake(release, solution, exercise: str, source: str) -> nbformat.NotebookNode:
    """Solved, except that ``exercise``'s answer cell holds ``source`` (a known wrong answer)."""
    return with_mistakes(release, solution, {exercise: source})


def run_code_cells(notebook: nbformat.NotebookNode, sources: dict[str, str] | None = None) -> dict:
    """The globals left by running the notebook's code cells in this process, in order, test
    cells left out; an answer cell whose grade_id is in ``sources`` runs that source instead."""
    names: dict = {}
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and not meta.get("grade"):
            exec((sources or {}).get(meta.get("grade_id"), cell.source), names)
    return names
