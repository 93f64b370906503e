"""Each chapter's recorded.pt is what recording it now gives: no visible check compares with a
stale value, and no known mistake is missed or described by an old text (`make record`)."""

import pytest
import torch

from autograder import chapters
from autograder.instructors.record import record
from autograder.runtime.recorded import FILE_NAME, Recorded

pytestmark = pytest.mark.slow


def same_data(a, b) -> bool:
    """Equal plain data, tensors within float tolerance."""
    if isinstance(a, torch.Tensor):
        return (
            isinstance(b, torch.Tensor)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and torch.allclose(a, b, equal_nan=True)
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("key", chapters.KEYS)
def test_recording_is_up_to_date(key):
    """Recording the chapter again gives its committed file (else run `make record`)."""
    path = Recorded(f"autograder.chapters.{key}").path
    assert path.name == FILE_NAME and path.exists(), f"{path} is missing: run `make record`"
    assert same_data(record(key), torch.load(path, weights_only=True)), f"{path} is stale: run `make record`"


def test_the_comparison_sees_a_changed_value():
    """The comparison above tells a changed number, text or length apart."""
    data = {"reference": {"f": [{"args": (torch.ones(2),), "outcome": torch.zeros(2)}]}, "mistakes": {}}
    assert same_data(data, data)
    assert not same_data(data, {**data, "reference": {"f": [{"args": (torch.ones(2),), "outcome": torch.ones(2)}]}})
    assert not same_data(data, {**data, "mistakes": {"check_f": []}})
