"""Chapter 2 (cross-correlation): what the student's traceback shows, and the course's own
implementations handed in. The generic tests and the chapter's table are in test_exercises.py
and tests/chapters/ch02_cross_correlation.py."""

import re

import pytest
from answers import failure, solved_namespace


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
