"""The properties each exercise's text states, checked visibly: every property-breaking
variant (``@breaks`` in the chapters' ``mistakes`` modules) fails a visible check whose
message names the property, and the hidden check on its own fails it too.

The table's ``PROPERTIES`` (tests/tables.py) lists what each exercise's text states; each
stated property needs a variant that breaks it. Test ids start with the chapter key.
"""

import ast

import pytest
import torch
from answers import CODE_EXERCISES, answer_failure, with_answer
from course import REPO
from tables import entry

from autograder.chapters import KEYS, all_variants, chapter_of
from autograder.runtime import properties
from autograder.runtime.cases import SEED_VAR
from autograder.runtime.compare import CheckFailure
from autograder.runtime.mistakes import Variant
from autograder.runtime.properties import PHRASES

VARIANTS = all_variants()
STATED = sorted(
    (key, exercise, prop) for key in KEYS for exercise, props in entry(key, "PROPERTIES").items() for prop in props
)


@pytest.mark.parametrize("key", KEYS)
def test_mistakes_modules_name_each_answer_once(key):
    """A second definition under one name would silently replace a known mistake or a variant."""
    tree = ast.parse((REPO / "autograder" / "chapters" / key / "mistakes.py").read_text())
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def variant_id(variant: Variant) -> str:
    return f"{chapter_of(variant)}-{variant.name}"


def test_every_exercise_states_its_properties():
    """Every graded code exercise has an entry in its chapter's PROPERTIES, naming known properties."""
    stated = {exercise: props for key in KEYS for exercise, props in entry(key, "PROPERTIES").items()}
    assert set(stated) == set(CODE_EXERCISES), set(CODE_EXERCISES) ^ set(stated)
    unknown = {exercise: set(props) - set(PHRASES) for exercise, props in stated.items() if set(props) - set(PHRASES)}
    assert not unknown, unknown


@pytest.mark.parametrize("key, exercise, prop", STATED, ids=["-".join(case) for case in STATED])
def test_each_stated_property_has_a_breaking_variant(key, exercise, prop):
    """A stated property without a variant that breaks it is a property nothing tests."""
    assert any(v.exercise == exercise and v.property == prop for v in VARIANTS), (
        f"write a @breaks({exercise!r}, {prop!r}) variant in autograder/chapters/{key}/mistakes.py"
    )


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_variant_fails_a_visible_check_naming_the_property(variant):
    """The visible check fails the variant and its message says which property broke."""
    stated = entry(chapter_of(variant), "PROPERTIES").get(variant.exercise, ())
    assert variant.property in stated, f"{variant.exercise}'s PROPERTIES does not state {variant.property!r}"
    answer = with_answer(variant.exercise, variant.source)[variant.exercise]
    message = answer_failure(variant.exercise, answer, kinds=(0,))
    assert message is not None, f"the visible check of {variant.exercise} passes {variant.name}"
    assert PHRASES[variant.property] in message, message


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_hidden_check_alone_fails_the_variant(variant, monkeypatch):
    """The hidden check re-tests the property on its random inputs."""
    monkeypatch.setenv(SEED_VAR, str(entry(chapter_of(variant), "SEED")))
    answer = with_answer(variant.exercise, variant.source)[variant.exercise]
    assert answer_failure(variant.exercise, answer, kinds=(1,), diagnose=False) is not None


@pytest.mark.parametrize(
    "answer",
    [
        lambda X: torch.zeros(X.shape).to(X.device) + X,
        lambda X: torch.zeros(X.shape, device=X.device) + X,
        lambda X: torch.zeros_like(X) + X,
        lambda X: X.new_zeros(X.shape) + X,
        lambda X: torch.tensor(0.5) * X,
    ],
    ids=["made-then-moved", "device-given", "zeros_like", "new_zeros", "a-number"],
)
def test_the_device_check_passes_every_way_to_keep_the_device(answer):
    """Made on the default device and then moved to the input's is right too (a GPU check would pass it)."""
    properties.assert_device_kept(answer, (torch.ones(2, 3),), "f(X)")


def test_the_device_check_fails_a_tensor_left_on_the_default_device():
    with pytest.raises(CheckFailure, match="does not keep the input's device"):
        properties.assert_device_kept(lambda X: torch.ones(X.shape) * X, (torch.ones(2, 3),), "f(X)")
