"""The checks of every exercise, run in this process (fast): solutions pass, blanks and mistakes fail.

Test ids start with the chapter key (tests/conftest.py runs each chapter's tests as one unit).
The families fed by the per-chapter tables (tests/tables.py) are in test_exercises.py.
"""

import pytest
from answers import CODE_EXERCISES, failure, solved_namespace, with_mistake
from tables import entry

from autograder.chapters import all_mistakes, chapter_of, mistakes_for
from autograder.runtime.diagnosis import recognised_mistakes

EXERCISES = sorted((key, exercise) for exercise, key in CODE_EXERCISES.items())
EXERCISE_IDS = [f"{key}-{exercise}" for key, exercise in EXERCISES]


@pytest.mark.parametrize("key, exercise", EXERCISES, ids=EXERCISE_IDS)
def test_solution_passes_visible_and_hidden_checks(key, exercise):
    """The instructor's solution passes every check."""
    assert failure(exercise, solved_namespace(key)) is None


@pytest.mark.parametrize("key, exercise", EXERCISES, ids=EXERCISE_IDS)
def test_blank_answer_fails_with_a_hint_to_start(key, exercise):
    """An untouched answer cell fails, and the message says to write a solution first."""
    namespace = solved_namespace(key)
    exec(f"def {exercise}(*args):\n    raise NotImplementedError()", namespace)
    assert "replace it with your solution" in failure(exercise, namespace)


@pytest.mark.parametrize("key, exercise", EXERCISES, ids=EXERCISE_IDS)
def test_exercise_has_several_known_mistakes(key, exercise):
    """Every graded exercise comes with at least three realistic wrong answers."""
    assert len(mistakes_for(exercise)) >= 3


@pytest.mark.parametrize("mistake", all_mistakes(), ids=lambda m: f"{chapter_of(m)}-{m.name}")
def test_known_mistake_fails_a_check_that_names_it(mistake):
    """Each known wrong answer, pasted into the notebook, fails a check whose message names
    it and gives its hint (beside any mistake it cannot be told apart from on those inputs;
    with the table's ONE_HINT_PER_MISTAKE, alone)."""
    message = failure(mistake.exercise, with_mistake(mistake))
    assert message is not None, mistake.summary
    assert mistake in recognised_mistakes(message, mistakes_for(mistake.exercise)), message
    assert f"Hint: {mistake.hint}" in message
    if entry(chapter_of(mistake), "ONE_HINT_PER_MISTAKE"):
        assert message.count("Hint: ") == 1, message
