"""Messages of the tensor comparison, in the order a student should fix things."""

import pytest
import torch

from autograder.runtime.compare import CheckFailure, assert_matches, mismatch, tolerance


def test_matching_tensors_pass():
    """Equal tensors, and differences within the dtype's tolerance, are accepted."""
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert mismatch(expected.clone(), expected) is None
    assert mismatch(expected + 1e-7, expected) is None


def test_not_a_tensor():
    """A non-tensor result is named by its type."""
    assert mismatch([1.0, 2.0], torch.tensor([1.0, 2.0])) == "Expected a tensor, got a list."


def test_shape_comes_first():
    """A wrong shape is reported before dtype or values."""
    got = torch.zeros(2, 3, dtype=torch.float64)
    assert mismatch(got, torch.ones(3, 2)) == "Expected shape (3, 2), got shape (2, 3)."


def test_dtype_before_values():
    """A wrong dtype is reported with the input's dtype as the expectation."""
    message = mismatch(torch.ones(2), torch.zeros(2, dtype=torch.float64))
    assert message == "Expected dtype torch.float64 (the input's dtype), got torch.float32."


def test_device_mismatch_explains_the_fix():
    """A result on another device says where it should be and how to get there."""
    got = torch.ones(2, device="meta")
    message = mismatch(got, torch.ones(2))
    assert message.startswith("Expected the result on cpu (the input's device), got it on meta.")
    assert "device=X.device" in message


def test_values_report_count_first_and_largest_error():
    """Value differences give the count, the first wrong index, and the largest error."""
    expected = torch.tensor([[19.0, 25.0], [37.0, 43.0]])
    got = torch.tensor([[19.0, 24.0], [37.0, 40.0]])
    message = mismatch(got, expected)
    assert message.splitlines() == [
        "2 of 4 values differ (allowed: |got - expected| <= 1e-05 + 1e-05 * |expected|).",
        "First wrong value at index (0, 1): expected 25, got 24.",
        "Largest error 3 at index (1, 1): expected 43, got 40.",
    ]


def test_nan_is_a_mismatch_unless_expected():
    """A NaN where a number was expected is reported; NaN where NaN was expected is fine."""
    expected = torch.tensor([1.0, float("nan")])
    assert mismatch(torch.tensor([1.0, float("nan")]), expected) is None
    assert "index (0,): expected 1, got nan" in mismatch(torch.tensor([float("nan"), float("nan")]), expected)


def test_tolerance_fits_the_dtype():
    """float64 is held to a much tighter tolerance than float32; integers must match exactly."""
    assert tolerance(torch.float64)[0] < tolerance(torch.float32)[0] < tolerance(torch.float16)[0]
    assert tolerance(torch.int64) == (0.0, 0.0)
    value = torch.tensor([1.0], dtype=torch.float64)
    assert mismatch(value + 1e-6, value) is not None


def test_assert_matches_names_the_call():
    """The raised failure starts with what was checked."""
    with pytest.raises(CheckFailure, match=r"^corr2d\(X, K\) is not right\.\nExpected shape"):
        assert_matches(torch.zeros(1), torch.zeros(2), "corr2d(X, K)")
