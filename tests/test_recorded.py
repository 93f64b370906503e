"""Each chapter's recorded.pt is fresh: made from the sources as they are (`make record`), and
recording again gives the same file, so no visible check compares with a stale value and no known
mistake is missed or described by an old text."""

import shutil

import pytest
import torch
from course import REPO

from autograder import chapters
from autograder.instructors.record import record, sources_digest
from autograder.runtime.recorded import FILE_NAME, Recorded

# Recording a chapter runs its visible checks with every known mistake: one chapter shows that a
# recording is reproducible; the digests show that every chapter's is up to date.
REPRODUCED = "ch02_cross_correlation"


def same_data(a, b) -> bool:
    """Equal plain data, tensors within float tolerance (NaN equal to NaN)."""
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


def committed(key: str) -> dict:
    path = Recorded(f"autograder.chapters.{key}").path
    assert path.name == FILE_NAME and path.exists(), f"{path} is missing: run `make record`"
    return torch.load(path, weights_only=True)


@pytest.mark.parametrize("key", chapters.KEYS)
def test_recording_is_made_from_the_sources_as_they_are(key):
    """The recording's digest of its sources (runtime, checks, references, mistakes, solution) is
    theirs now (else run `make record`)."""
    assert committed(key)["sources"] == sources_digest(key), f"{key}'s {FILE_NAME} is stale: run `make record`"


@pytest.mark.slow
def test_recording_again_gives_the_same_file():
    """Recording a chapter again gives its committed file, value for value."""
    assert same_data(record(REPRODUCED), committed(REPRODUCED))


def test_the_comparison_sees_a_changed_value():
    """The comparison above tells a changed number, text or length apart."""
    data = {"reference": {"f": [{"args": (torch.ones(2),), "outcome": torch.zeros(2)}]}, "mistakes": {}}
    assert same_data(data, data)
    assert not same_data(data, {**data, "reference": {"f": [{"args": (torch.ones(2),), "outcome": torch.ones(2)}]}})
    assert not same_data(data, {**data, "mistakes": {"check_f": []}})


def test_the_digest_sees_a_changed_source(tmp_path):
    """Changing a known mistake's source changes the digest."""
    for relative in ("autograder", "solutions/ch01_autograd"):
        shutil.copytree(REPO / relative, tmp_path / relative, ignore=shutil.ignore_patterns("__pycache__"))
    before = sources_digest("ch01_autograd", tmp_path)
    mistakes = tmp_path / "autograder" / "chapters" / "ch01_autograd" / "mistakes.py"
    mistakes.write_text(mistakes.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert sources_digest("ch01_autograd", tmp_path) != before
