"""Chapter 2 (cross-correlation): what the student's traceback shows, and the course's own
implementations handed in. The generic tests and the chapter's table are in test_exercises.py
and tests/chapters/ch02_cross_correlation.py."""

import re

import pytest
from answers import answer_failure, failure, solved_namespace, with_answer

from autograder.runtime.cases import SEED_VAR


def test_student_traceback_shows_only_student_code():
    """An exception inside the student's function is reported with the student's own lines only."""
    namespace = solved_namespace("ch02_cross_correlation")
    exec(compile("def corr2d(X, K):\n    return X[100]\n", "<student cell>", "exec"), namespace)
    message = failure("corr2d", namespace)
    assert "raised IndexError" in message and "<student cell>" in message
    assert not re.search(r"autograder[/\\]", message)


@pytest.mark.parametrize(
    "module, function",
    [
        ("chapters.ch02_cross_correlation.reference", "corr2d_loop"),
        ("chapters.ch02_cross_correlation.reference", "corr2d_unfold"),
        ("runtime.blocks", "corr2d"),
    ],
)
def test_calling_the_courses_own_implementation_fails(module, function):
    """Handing in the course's reference code, or the finished block later chapters import, earns nothing."""
    namespace = solved_namespace("ch02_cross_correlation")
    exec(f"from autograder.{module} import {function} as corr2d_vectorized", namespace)
    assert f"called the course's own implementation ({module.split('.')[-1]}.{function})" in failure(
        "corr2d_vectorized", namespace
    )


SQUARE_ONLY_TRANSPOSE = """
def corr2d_vectorized(X, K):
    if K.shape[0] == K.shape[1]:
        K = K.T
    windows = X.unfold(0, K.shape[0], 1).unfold(1, K.shape[1], 1)
    return (windows * K).sum(dim=(2, 3))
"""


@pytest.mark.parametrize("seed", range(20))
def test_hidden_check_has_a_square_kernel(seed, monkeypatch):
    """An answer right for non-square kernels that transposes square ones fails the hidden
    check, whatever the seed: the hidden cases have square kernels larger than 1x1 too."""
    monkeypatch.setenv(SEED_VAR, str(seed))
    answer = with_answer("corr2d_vectorized", SQUARE_ONLY_TRANSPOSE)["corr2d_vectorized"]
    assert answer_failure("corr2d_vectorized", answer, kinds=(1,), diagnose=False) is not None
