"""Chapter 5 (channels): loops and matrix products in corr2d_1x1, integer counts, the finished
blocks, the references. The generic tests (messages, seeds, other correct answers) read the
chapter's table, tests/chapters/ch05_channels.py."""

from functools import partial

import numpy as np
import pytest
import torch
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace

from autograder.chapters.ch05_channels import reference as ref

ASSIGNMENT = "ch05_channels"
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


def test_corr2d_1x1_pixel_loop_fails():
    """A matrix product per pixel is still a loop over the input."""
    source = """
def corr2d_1x1(X, K):
    c_in, h, w = X.shape
    W = K.flatten(1)
    columns = [W @ X[:, i, j] for i in range(h) for j in range(w)]
    return torch.stack(columns, dim=1).reshape(K.shape[0], h, w)
"""
    message = failure("corr2d_1x1", namespace(corr2d_1x1=source)["corr2d_1x1"])
    assert message is not None and "must not loop over the input" in message


@pytest.mark.parametrize(
    "value, phrase",
    [
        (1792.0, "returned 1792.0, a float"),
        (torch.tensor(1792), "returned a tensor"),
        (np.int64(1792), "of type numpy.int64; it must return a Python int (convert with int(...))"),
        (None, "returned None: did you forget the return statement?"),
        (True, "returned True, a bool"),
        ("1792", "of type str"),
    ],
)
def test_non_int_counts_are_rejected(value, phrase):
    """A count that is not a Python int fails with a message that says what it is."""
    message = failure("conv2d_num_params", lambda *args: value)
    assert message is not None and phrase in message, message


def test_count_checks_use_the_defaults():
    """The visible checks call conv2d_num_params and linear_num_params without bias and groups too."""

    def conv_wrong_defaults(in_channels, out_channels, kernel_size, bias=False, groups=1):
        return namespace()["conv2d_num_params"](in_channels, out_channels, kernel_size, bias, groups)

    def linear_wrong_default(in_features, out_features, bias=False):
        return namespace()["linear_num_params"](in_features, out_features, bias)

    assert "(default bias and groups) returned 1728, expected 1792" in failure("conv2d_num_params", conv_wrong_defaults)
    assert "(default bias) returned 7840, expected 7850" in failure("linear_num_params", linear_wrong_default)


def test_finished_block_is_allowed_but_the_reference_is_not():
    """Students may build on autograder.runtime.blocks.corr2d; handing in the reference earns nothing."""
    names = namespace()
    assert failure("corr2d_multi_in", names["corr2d_multi_in"]) is None
    message = failure("corr2d_multi_in", ref.corr2d_multi_in)
    assert "called the course's own implementation (reference.corr2d_multi_in)" in message


def test_reference_counts_match_the_formulas():
    """The references count what the chapter says: Co * (Ci / g) * kh * kw (+ Co), out * in (+ out)."""
    assert ref.conv2d_num_params(3, 64, 3) == 1792
    assert ref.conv2d_num_params(2, 3, (3, 5)) == 93
    assert ref.conv2d_num_params(64, 128, 3, groups=4) == 128 * 16 * 9 + 128
    assert ref.conv2d_num_params(32, 32, 3, bias=False, groups=32) == 288
    assert ref.linear_num_params(224 * 224 * 3, 4096) == 616_566_784
    assert ref.linear_num_params(10, 5, bias=False) == 50
