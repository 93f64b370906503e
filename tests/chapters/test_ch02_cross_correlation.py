"""Chapter 2 (cross-correlation): what the student's traceback shows, and the course's own
implementations handed in. The generic tests and the chapter's table are in test_exercises.py
and tests/chapters/ch02_cross_correlation.py."""

import re

import pytest
import torch
from answers import answer_failure, failure, solved_namespace, with_answer
from torch import nn

from autograder.chapters.ch02_cross_correlation import reference as ref
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


# --- corr1d and the section on one and three dimensions (issue 16) ---------------------------


def test_corr1d_reference_and_the_chapters_numbers():
    """corr1d(0..7, [1, 2, -1]) = 2i (the example of the chapter and the exercise); a 3x3x3 Conv3d
    on a 16x32x48 clip gives 14x30x46 (glued); Conv1d equals Conv2d with a 1 x w kernel; the
    check-yourself answers (96, zeros, 5x4, 294x250, the turned output against the convolution)."""
    x, k = torch.arange(8.0), torch.tensor([1.0, 2.0, -1.0])
    assert ref.corr1d(x, k).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    flipped = ref.corr1d(x, k.flip(0))
    assert flipped.tolist() != ref.corr1d(x, k).tolist()
    assert tuple(nn.Conv3d(1, 1, 3)(torch.zeros(1, 1, 16, 32, 48)).shape[2:]) == (14, 30, 46)
    assert nn.Conv1d(1, 1, 5)(torch.zeros(4, 1, 100)).shape == (4, 1, 96)
    assert ref.corr1d(torch.ones(4), torch.tensor([1.0, -1.0])).tolist() == [0.0, 0.0, 0.0]
    assert ref.corr2d(torch.zeros(7, 5), torch.zeros(3, 2)).shape == (5, 4)
    assert ref.corr2d(torch.zeros(300, 256), torch.ones(7, 7)).shape == (294, 250)
    X, K = torch.arange(9.0).reshape(3, 3), torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert ref.corr2d(X, K).flip(0, 1).tolist() == [[43.0, 37.0], [25.0, 19.0]]
    assert ref.conv2d_flipped(X, K).tolist() == [[5.0, 11.0], [23.0, 29.0]]
    assert torch.zeros(5, 6).unfold(0, 3, 1).unfold(1, 2, 1).shape == (3, 5, 3, 2)


def test_corr1d_is_refused_the_builtin_conv1d():
    """corr1d from F.conv1d earns nothing: the guard refuses the convolution family."""
    namespace = with_answer(
        "corr1d",
        "import torch.nn.functional as F\n\n"
        "def corr1d(x, k):\n    return F.conv1d(x[None, None], k[None, None])[0, 0]\n",
    )
    assert "must be written from scratch" in failure("corr1d", namespace)
