"""The operation recorder behind the from-scratch and no-loop checks."""

import pytest
import torch
import torch.nn.functional as F

from autograder.runtime import blocks, guard
from autograder.runtime.compare import CheckFailure
from autograder.runtime.guard import assert_from_scratch, recording, reference_calls, used_builtins

X, K = torch.randn(1, 1, 5, 6), torch.randn(1, 1, 2, 3)


@pytest.mark.parametrize(
    "builtin",
    [
        lambda: F.conv2d(X, K),
        lambda: torch.conv2d(X, K),
        lambda: torch.nn.Conv2d(1, 1, (2, 3))(X),
        lambda: F.conv_transpose2d(X, K),
        lambda: torch.ops.aten.convolution(X, K, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
    ],
    ids=["F.conv2d", "torch.conv2d", "nn.Conv2d", "conv_transpose2d", "aten.convolution"],
)
def test_every_route_to_the_builtin_convolution_is_seen(builtin):
    """However a convolution is reached, the recorder sees a convolution operation."""
    with recording() as ops:
        builtin()
    assert used_builtins(ops, ("convolution",))
    with pytest.raises(CheckFailure, match="must be written from scratch"):
        assert_from_scratch(ops, "corr2d(X, K)", ("convolution",))


def test_hand_written_arithmetic_is_allowed():
    """Indexing, unfold and arithmetic are not the built-in convolution."""
    with recording() as ops:
        (X[0, 0].unfold(0, 2, 1).unfold(1, 3, 1) * K[0, 0]).sum((-2, -1))
    assert ops and not used_builtins(ops, ("convolution",))


def test_recording_counts_each_operation():
    """A loop of n additions records n operations."""
    t = torch.zeros(3)
    with recording() as ops:
        for _ in range(5):
            t = t + 1
    assert ops.count("add") == 5


def test_reference_calls_are_seen_even_when_imported_under_another_name():
    """A call into autograder.reference is recorded by its function name, whatever it is bound to."""
    from autograder.chapters.ch02_cross_correlation.reference import corr2d_unfold as my_corr2d

    with reference_calls() as called:
        my_corr2d(X[0, 0], K[0, 0])
        (X[0, 0] * 2).sum()
    assert called == {"reference.corr2d_unfold"}


@pytest.mark.parametrize("blocks", [False, True])
def test_finished_blocks_are_watched_only_on_request(blocks):
    """autograder.runtime.blocks is open to later chapters and closed to the exercise that writes it."""
    from autograder.runtime.blocks import corr2d

    with reference_calls(blocks=blocks) as called:
        corr2d(X[0, 0], K[0, 0])
    assert called == ({"blocks.corr2d"} if blocks else set())


@pytest.mark.parametrize(
    "pad",
    [
        lambda: F.pad(X, (1, 1, 2, 2)),
        lambda: F.pad(X, (1, 1, 1, 1), mode="reflect"),
        lambda: F.pad(X, (1, 1, 1, 1), mode="replicate"),
        lambda: torch.constant_pad_nd(X, (1, 1)),
    ],
)
def test_padding_builtins_are_recognised(pad):
    """Every way to call PyTorch's padding is seen as the built-in padding."""
    with recording() as ops:
        pad()
    assert used_builtins(ops, ("padding",))


def test_a_finished_block_counts_as_from_scratch():
    """An answer built on autograder.runtime.blocks passes a from-scratch check (the block calls
    the built-in convolution), and the block's result is chapter 2's cross-correlation."""
    image, kernel = torch.arange(9.0).reshape(3, 3), torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    with recording() as ops:
        Y = blocks.corr2d(image, kernel) * 1
    assert_from_scratch(ops, "an answer on the block", ("convolution",))
    assert Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]
    with recording() as ops:
        F.conv2d(image[None, None], kernel[None, None])
    assert used_builtins(ops, ("convolution",))


def test_answers_cannot_hide_a_built_in_as_a_finished_block():
    """Only autograder.runtime.blocks may mark operations as a finished block's."""
    with pytest.raises(CheckFailure, match="finished blocks only"), guard.finished_block():
        pass
