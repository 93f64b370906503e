"""The per-chapter tables of the generic tests (test_exercises.py, test_checks.py): ``tests/chapters/<key>.py``.

A table holds data only (helpers of its own start with an underscore), and every name in it
is optional: a chapter without a table, or a
table without some name, gets the defaults below. A new chapter is thus tested by every
generic test as soon as it exists; its table adds what only its author knows (the messages
its checks must say, other correct answers, how many seeds its hidden checks need).

Names a table may define (``answer`` is the name of a known mistake, or of an entry of
``OTHER_WRONG_ANSWERS``):

``SEED``
    the grading seed of the ``MESSAGES`` and ``HIDDEN_FAILURES`` tests (default 1234).
``MESSAGES``
    ``{answer: phrase}``: the first failing check of the answer says ``phrase``.
``MESSAGE_FOR_EVERY_MISTAKE``
    True when ``MESSAGES`` must name every known mistake of the chapter.
``ONE_HINT_PER_MISTAKE``
    True when the first failing check of each known mistake must explain it once: by its own
    hint alone (test_checks.py).
``OTHER_WRONG_ANSWERS``
    ``{name: (exercise, source)}``: wrong answers that are not known mistakes (``source`` runs
    after the solved notebook, so it may use the instructor's answers).
``HIDDEN_FAILURES``
    ``{answer: pattern}``: the hidden check's message on the answer matches the regular
    expression ``pattern`` (``{seed}`` in it stands for ``SEED``).
``MISTAKE_SEEDS``, ``MISTAKE_SEEDS_FOR``
    the grading seeds under which the hidden check alone must fail every known mistake
    (default ``range(5)``), and ``{mistake or exercise: seeds}`` for some of them.
``PASSES_HIDDEN_CHECK``
    ``{mistake: reason}``: known mistakes that the hidden check lets through (only the
    visible one catches them); the test then requires exactly that.
``SOLUTION_SEEDS``, ``SOLUTION_SEEDS_FOR``
    the grading seeds under which the solution must pass each hidden check (default
    ``range(25)``), and ``{exercise: seeds}`` for some exercises.
``OTHER_CORRECT_ANSWERS``, ``OTHER_CORRECT_SEEDS``
    ``{exercise: source, [sources] or {label: source}}``: other right answers, which must pass
    every check under each of the seeds (default ``range(3)``). A source runs after the solved
    notebook, below the imports of a known mistake's cell (torch, F, nn).
``REFERENCE_MESSAGES``
    ``{exercise: phrase}``: what the checks say of the course's reference handed in as the
    answer, when it is not the usual "called the course's own implementation (reference...)".
``SECTIONS_ELSEWHERE``
    ``{mistake: page}``: hints that send the student to a section of another page than the
    chapter's own.
``EVERY_MISTAKE_HAS_A_SECTION``
    True when every known mistake of the chapter must name a section of the book.
``HINTS_QUOTING_THE_SOLUTION``
    ``{mistake: reason}``: hints allowed to quote a line of the instructor's answer.
``PROPERTIES``
    ``{exercise: (property, ...)}``: what the exercise's text states of every answer, as keys of
    :data:`autograder.runtime.properties.PHRASES`; each needs a variant that breaks it
    (test_properties.py).
"""

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent / "chapters"
DEFAULTS = {
    "SEED": 1234,
    "MESSAGES": {},
    "MESSAGE_FOR_EVERY_MISTAKE": False,
    "ONE_HINT_PER_MISTAKE": False,
    "OTHER_WRONG_ANSWERS": {},
    "HIDDEN_FAILURES": {},
    "MISTAKE_SEEDS": range(5),
    "MISTAKE_SEEDS_FOR": {},
    "PASSES_HIDDEN_CHECK": {},
    "SOLUTION_SEEDS": range(25),
    "SOLUTION_SEEDS_FOR": {},
    "OTHER_CORRECT_ANSWERS": {},
    "OTHER_CORRECT_SEEDS": range(3),
    "REFERENCE_MESSAGES": {},
    "SECTIONS_ELSEWHERE": {},
    "EVERY_MISTAKE_HAS_A_SECTION": False,
    "HINTS_QUOTING_THE_SOLUTION": {},
    "PROPERTIES": {},
}


@cache
def table(key: str) -> ModuleType | None:
    """The table of chapter ``key`` (``tests/chapters/<key>.py``), or None when it has none."""
    path = FOLDER / f"{key}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"chapter_tables.{key}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    unknown = {name for name in vars(module) if name.isupper() and not name.startswith("_")} - set(DEFAULTS)
    assert not unknown, (
        f"{path}: no generic test reads {', '.join(sorted(unknown))} (see tests/tables.py; a helper's name "
        "starts with an underscore)"
    )
    return module


def entry(key: str, name: str):
    """The value of ``name`` in chapter ``key``'s table, else its default."""
    return getattr(table(key), name, DEFAULTS[name])


def sources(value) -> dict[str, str]:
    """An ``OTHER_CORRECT_ANSWERS`` value (a source, a list or a dict of them) by label."""
    if isinstance(value, str):
        return {"0": value}
    if isinstance(value, dict):
        return dict(value)
    return {str(number): source for number, source in enumerate(value)}
