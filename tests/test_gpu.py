"""The course on a CUDA GPU (`make test-gpu`): every solution, blank answer, known mistake and
property-breaking variant through its checks, with inputs, references and recordings on the
GPU. Skipped, visibly, where PyTorch sees no GPU. Test ids start with the chapter key."""

import pytest
import torch
from answers import CODE_EXERCISES, failure, solved_namespace, with_answer, with_mistake

from autograder.chapters import all_variants, chapter_of, mistakes_for
from autograder.runtime.device import ENV_VAR, device

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here: run `make test-gpu` on a GPU machine"),
]
EXERCISES = sorted((key, exercise) for exercise, key in CODE_EXERCISES.items())


@pytest.fixture(autouse=True)
def on_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check of the test runs on the first GPU, in full precision."""
    monkeypatch.setenv(ENV_VAR, "cuda")
    assert device().type == "cuda"
    assert not torch.backends.cudnn.allow_tf32


@pytest.mark.parametrize("key, exercise", EXERCISES, ids=[f"{k}-{e}" for k, e in EXERCISES])
def test_solution_passes_blank_fails_and_each_mistake_fails_on_cuda(key, exercise):
    """The solution passes the visible and hidden checks on the GPU; a blank answer and every
    known mistake of the exercise fail them."""
    assert failure(exercise, solved_namespace(key)) is None
    blank = with_answer(exercise, f"def {exercise}(*args, **kwargs):\n    raise NotImplementedError()")
    assert failure(exercise, blank) is not None
    passed = [m.name for m in mistakes_for(exercise) if failure(exercise, with_mistake(m)) is None]
    assert not passed, f"known mistakes that pass on the GPU: {passed}"


@pytest.mark.parametrize("variant", all_variants(), ids=lambda v: f"{chapter_of(v)}-{v.name}")
def test_property_breaking_variant_fails_on_cuda(variant):
    """Each variant that breaks a stated property (a hard-coded device among them) fails on the GPU."""
    assert failure(variant.exercise, with_answer(variant.exercise, variant.source)) is not None
