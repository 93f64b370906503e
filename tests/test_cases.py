"""Random cases for hidden checks: fresh by default, reproducible from a seed."""

import torch

from autograder.runtime.cases import SEED_VAR, Cases


def test_same_seed_same_cases():
    """Two case generators with one seed draw the same sizes and tensors."""
    a, b = Cases(7), Cases(7)
    assert a.size(1, 100) == b.size(1, 100)
    assert torch.equal(a.randn(3, 4), b.randn(3, 4))


def test_seed_from_environment(monkeypatch):
    """AUTOGRADER_SEED reproduces a grading run."""
    monkeypatch.setenv(SEED_VAR, "42")
    assert Cases().seed == 42


def test_fresh_seed_without_environment(monkeypatch):
    """Without AUTOGRADER_SEED, every grading run draws new cases."""
    monkeypatch.delenv(SEED_VAR, raising=False)
    assert len({Cases().seed for _ in range(5)}) > 1


def test_distinct_sizes_differ_and_dtype_is_kept():
    """distinct_sizes gives H != W; randn returns the requested dtype."""
    cases = Cases(3)
    for _ in range(50):
        h, w = cases.distinct_sizes(2, 4)
        assert h != w and 2 <= h <= 4 and 2 <= w <= 4
    assert cases.randn(2, dtype=torch.float64).dtype == torch.float64
