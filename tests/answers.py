"""Answers run in this process: the solved notebooks' globals, a known mistake pasted in, and
the checks of every exercise."""

import nbformat
from course import ASSIGNMENTS, REPO

from autograder import chapters
from autograder.chapters import all_mistakes
from autograder.instructors.submissions import answers, run_code_cells
from autograder.runtime.compare import CheckFailure
from autograder.runtime.mistakes import Mistake

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
    return (
        getattr(chapters.part(assignment, "checks"), f"check_{exercise}"),
        getattr(chapters.part(assignment, "hidden"), f"grade_{exercise}"),
    )


def namespace(assignment: str, **sources: str) -> dict:
    """The globals of a notebook whose code cells up to the tests ran; an answer cell whose
    grade_id is a keyword of ``sources`` runs that source instead of the instructor's answer."""
    return run_code_cells(SOLUTIONS[assignment], sources)


def solved_namespace(assignment: str) -> dict:
    """The globals of a notebook whose code cells up to the tests ran, every answer cell solved."""
    return namespace(assignment)


def named(name: str) -> Mistake:
    """The registered mistake called ``name``."""
    return next(m for m in all_mistakes() if m.name == name)


def with_answer(exercise: str, source: str) -> dict:
    """The solved notebook's globals with ``source`` run after them (redefining ``exercise``)."""
    namespace = solved_namespace(CODE_EXERCISES[exercise])
    exec(compile(source, f"<answer cell {exercise}>", "exec"), namespace)
    return namespace


def with_mistake(mistake: Mistake) -> dict:
    """The solved notebook's globals with ``mistake`` pasted into its exercise's answer cell."""
    return with_answer(mistake.exercise, mistake.source)


def answer_failure(exercise: str, answer, kinds: tuple[int, ...] = (0, 1), diagnose: bool = True) -> str | None:
    """The message of the first check of ``exercise`` (0: visible, 1: hidden) that fails on
    ``answer`` (the function or class itself), or None. Without ``diagnose``, the checks run
    without looking for the known mistake the answer makes (faster)."""
    for kind in kinds:
        check = checks(exercise)[kind]
        try:
            (check if diagnose else check.__wrapped__)(answer)
        except CheckFailure as error:
            return str(error)
    return None


def failure(exercise: str, namespace: dict, kinds: tuple[int, ...] = (0, 1), diagnose: bool = True) -> str | None:
    """The message of the first check of ``exercise`` that fails (0: visible, 1: hidden), or None
    (without ``diagnose``, faster: see :func:`answer_failure`)."""
    return answer_failure(exercise, namespace[exercise], kinds, diagnose)
