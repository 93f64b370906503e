"""Answers run in this process: the solved notebooks' globals, a known mistake pasted in, and
the checks of every exercise."""

import importlib

import nbformat
from course import ASSIGNMENTS, REPO

from autograder.compare import CheckFailure
from autograder.mistakes import Mistake
from autograder.submissions import answers, nbgrader_meta

SOLUTIONS = {a: nbformat.read(REPO / "solutions" / a / f"{a}.ipynb", as_version=4) for a in ASSIGNMENTS}
CODE_EXERCISES = {
    exercise: assignment
    for assignment, notebook in SOLUTIONS.items()
    for exercise in answers(notebook)
    if not exercise.startswith("written_")
}


def checks(exercise: str):
    """The visible and hidden check functions of an exercise."""
    assignment = CODE_EXERCISES[exercise]
    module = importlib.import_module(f"autograder.checks.{assignment.replace('-', '_')}")
    return getattr(module, f"check_{exercise}"), getattr(module, f"grade_{exercise}")


def solved_namespace(assignment: str) -> dict:
    """The globals of a notebook whose code cells up to the tests ran, every answer cell solved."""
    namespace: dict = {}
    for cell in SOLUTIONS[assignment].cells:
        if cell.cell_type == "code" and not nbgrader_meta(cell).get("grade"):
            exec(cell.source, namespace)
    return namespace


def with_mistake(mistake: Mistake) -> dict:
    """The solved notebook's globals with ``mistake`` pasted into its exercise's answer cell."""
    namespace = solved_namespace(CODE_EXERCISES[mistake.exercise])
    exec(compile(mistake.source, f"<answer cell {mistake.exercise}>", "exec"), namespace)
    return namespace


def failure(exercise: str, namespace: dict, kinds: tuple[int, ...] = (0, 1)) -> str | None:
    """The message of the first check of ``exercise`` that fails (0: visible, 1: hidden), or None."""
    for kind in kinds:
        try:
            checks(exercise)[kind](namespace[exercise])
        except CheckFailure as error:
            return str(error)
    return None
