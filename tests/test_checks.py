"""The checks of every exercise, run in this process (fast): solutions pass, blanks and mistakes fail."""

import re

import pytest
from answers import CODE_EXERCISES, checks, failure, solved_namespace, with_mistake

from autograder.chapters import all_mistakes, mistakes_for
from autograder.runtime.compare import CheckFailure
from autograder.runtime.diagnosis import recognised_mistakes


@pytest.mark.parametrize("exercise", sorted(CODE_EXERCISES))
def test_solution_passes_visible_and_hidden_checks(exercise):
    """The instructor's solution passes every check."""
    assert failure(exercise, solved_namespace(CODE_EXERCISES[exercise])) is None


@pytest.mark.parametrize("exercise", sorted(CODE_EXERCISES))
def test_blank_answer_fails_with_a_hint_to_start(exercise):
    """An untouched answer cell fails, and the message says to write a solution first."""
    namespace = solved_namespace(CODE_EXERCISES[exercise])
    exec(f"def {exercise}(*args):\n    raise NotImplementedError()", namespace)
    assert "replace it with your solution" in failure(exercise, namespace)


@pytest.mark.parametrize("exercise", sorted(CODE_EXERCISES))
def test_exercise_has_several_known_mistakes(exercise):
    """Every graded exercise comes with at least three realistic wrong answers."""
    assert len(mistakes_for(exercise)) >= 3


@pytest.mark.parametrize("mistake", all_mistakes(), ids=lambda m: m.name)
def test_known_mistake_fails_a_check_that_names_it(mistake):
    """Each known wrong answer, pasted into the notebook, fails a check whose message names
    it and gives its hint (beside any mistake it cannot be told apart from on those inputs)."""
    message = failure(mistake.exercise, with_mistake(mistake))
    assert message is not None, mistake.summary
    assert mistake in recognised_mistakes(message, mistakes_for(mistake.exercise)), message
    assert f"Hint: {mistake.hint}" in message


MESSAGES = {
    # mistake: a phrase its first failing check must say
    "corr2d_off_by_one": "Expected shape (2, 2), got shape (1, 1).",
    "corr2d_flips_kernel": "First wrong value at index (0, 0): expected 19, got 5.",
    "corr2d_float32_output": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "corr2d_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "corr2d_vectorized_row_loop": "must not loop over the input: it ran 16 tensor operations on the smaller",
    "vjp_accumulates": "called a second time (do gradients from the first call add up?)",
    "vjp_float32": "Expected dtype torch.float64",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_failure_message_names_the_problem(name):
    """The message of a typical mistake says plainly what is wrong."""
    mistake = next(m for m in all_mistakes() if m.name == name)
    namespace = with_mistake(mistake)
    assert MESSAGES[name] in failure(mistake.exercise, namespace)


def test_hidden_failure_quotes_the_seed_and_the_inputs(monkeypatch):
    """A failed hidden check says which case failed, on which inputs, with which seed."""
    monkeypatch.setenv("AUTOGRADER_SEED", "1234")
    mistake = next(m for m in mistakes_for("corr2d") if m.name == "corr2d_square_input")
    namespace = with_mistake(mistake)
    with pytest.raises(CheckFailure, match=r"Hidden check \d of \d failed \(grading seed 1234\), on X \d+x\d+ and K"):
        checks("corr2d")[1](namespace["corr2d"])


def test_student_traceback_shows_only_student_code():
    """An exception inside the student's function is reported with the student's own lines only."""
    namespace = solved_namespace("ch02_cross_correlation")
    exec(compile("def corr2d(X, K):\n    return X[100]\n", "<student cell>", "exec"), namespace)
    message = failure("corr2d", namespace)
    assert "raised IndexError" in message and "<student cell>" in message
    assert not re.search(r"autograder[/\\]", message)


@pytest.mark.parametrize("module, function", [
    ("chapters.ch02_cross_correlation.reference", "corr2d_loop"),
    ("chapters.ch02_cross_correlation.reference", "corr2d_unfold"),
    ("runtime.blocks", "corr2d"),
])
def test_calling_the_courses_own_implementation_fails(module, function):
    """Handing in the course's reference code, or the finished block later chapters import, earns nothing."""
    namespace = solved_namespace("ch02_cross_correlation")
    exec(f"from autograder.{module} import {function} as corr2d_vectorized", namespace)
    assert f"called the course's own implementation ({module.split('.')[-1]}.{function})" in failure(
        "corr2d_vectorized", namespace
    )
