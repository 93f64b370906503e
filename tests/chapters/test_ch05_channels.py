"""Chapter 5 (channels): messages of typical mistakes, integer results, other correct answers,
seeds, and the notebook's points table."""


from functools import partial

import numpy as np
import pytest
import torch
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import mistake_failure
from answers import namespace as notebook_namespace

from autograder.chapters import mistakes_for
from autograder.chapters.ch05_channels import checks as checks
from autograder.chapters.ch05_channels import reference as ref
from autograder.runtime.compare import CheckFailure

ASSIGNMENT = "ch05_channels"
EXERCISES = [
    "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_1x1", "corr2d_grouped",
    "conv2d_num_params", "linear_num_params",
]
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


MESSAGES = {
    "corr2d_multi_in_stacked": "Expected shape (2, 2), got shape (2, 2, 2).",
    "corr2d_multi_in_mean": "First wrong value at index (0, 0): expected 56, got 28.",
    "corr2d_multi_in_float32_buffer": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "corr2d_multi_in_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "corr2d_multi_in_out_sums_outputs": "Expected shape (3, 2, 2), got shape (2, 2).",
    "corr2d_multi_in_out_channels_last": "Expected shape (3, 2, 2), got shape (2, 2, 3).",
    "corr2d_1x1_output_loop": "must not loop over the input: it ran",
    "corr2d_1x1_kernel_transposed": "First wrong value at index (0, 0, 0): expected 18, got 6.",
    "corr2d_1x1_broadcast_sum": "gives the right values, but it ran no matrix product",
    "corr2d_1x1_reuses_multi_in_out": "gives the right values, but it ran no matrix product",
    "corr2d_grouped_reversed_groups": "First wrong value at index (0, 0, 0): expected 56, got 124.",
    "conv2d_num_params_no_bias": (
        "conv2d_num_params(in_channels=3, out_channels=64, kernel_size=3, bias=True, groups=1) "
        "returned 1728, expected 1792."
    ),
    "conv2d_num_params_groups_ignored": "groups=4) returned 73856, expected 18560.",
    "conv2d_num_params_pair_as_square": "kernel_size=(3, 5), bias=True, groups=1) returned 57, expected 93.",
    "conv2d_num_params_float": "returned 1792.0, a float; it must return a Python int.",
    "conv2d_num_params_builds_module": "ran tensor operations (empty, uniform_): it built a layer or tensors.",
    "linear_num_params_bias_per_input": (
        "linear_num_params(in_features=150528, out_features=4096, bias=True) returned 616713216, "
        "expected 616566784."
    ),
    "linear_num_params_bias_always": "linear_num_params(in_features=10, out_features=5, bias=False) returned 55",
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_mistake_message_names_the_problem(name):
    """The first failing check of a typical mistake says plainly what is wrong."""
    message = mistake_failure(name)
    assert message is not None and MESSAGES[name] in message, message


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("mistake", [m for e in EXERCISES for m in mistakes_for(e)], ids=lambda m: m.name)
def test_every_mistake_fails_whatever_the_seed(mistake, seed, monkeypatch):
    """No wrong answer depends on a lucky draw of the hidden cases."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    function = namespace(**{mistake.exercise: mistake.source})[mistake.exercise]
    assert failure(mistake.exercise, function) is not None, mistake.summary


@pytest.mark.parametrize("seed", range(25))
def test_solution_passes_hidden_checks_for_many_seeds(seed, monkeypatch):
    """The tolerances and the random shapes never fail the instructor's solution."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    names = namespace()
    for exercise in EXERCISES:
        getattr(checks, f"grade_{exercise}")(names[exercise])


def test_hidden_failure_quotes_the_seed_and_the_inputs(monkeypatch):
    """A failed hidden check names its case, the grading seed and the shapes."""
    monkeypatch.setenv("AUTOGRADER_SEED", "4321")
    source = next(m.source for m in mistakes_for("corr2d_multi_in") if m.name == "corr2d_multi_in_float32_buffer")
    function = namespace(corr2d_multi_in=source)["corr2d_multi_in"]
    with pytest.raises(CheckFailure, match=r"Hidden check \d of \d failed \(grading seed 4321\), on X \d+x\d+x\d+ "
                       r"and K \d+x\d+x\d+ \(torch.float64\)"):
        checks.grade_corr2d_multi_in(function)


OTHER_CORRECT_ANSWERS = {
    "corr2d_multi_in": '''
def corr2d_multi_in(X, K):
    windows = X.unfold(1, K.shape[1], 1).unfold(2, K.shape[2], 1)
    return torch.einsum("chwab,cab->hw", windows, K)
''',
    "corr2d_multi_in_out": '''
def corr2d_multi_in_out(X, K):
    outputs = []
    for o in range(K.shape[0]):
        outputs.append(corr2d_multi_in(X, K[o]))
    return torch.stack(outputs)
''',
    "corr2d_grouped": '''
def corr2d_grouped(X, K, groups):
    xs, ks = X.chunk(groups), K.chunk(groups)
    return torch.cat([corr2d_multi_in_out(x, k) for x, k in zip(xs, ks)])
''',
    "conv2d_num_params": '''
import math

def conv2d_num_params(in_channels, out_channels, kernel_size, bias=True, groups=1):
    size = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels // groups * math.prod(size) + bias * out_channels
''',
    "linear_num_params": '''
def linear_num_params(in_features, out_features, bias=True):
    return (in_features + int(bias)) * out_features
''',
}

ONE_BY_ONE_ANSWERS = {
    "einsum": 'torch.einsum("oi,ihw->ohw", K[:, :, 0, 0], X)',
    "tensordot": "torch.tensordot(K.flatten(1), X, dims=1)",
    "channels last": "(X.permute(1, 2, 0) @ K.flatten(1).T).permute(2, 0, 1)",
    "matmul on 3-D": "(K.flatten(1) @ X.flatten(1)).unflatten(1, X.shape[1:])",
}


@pytest.mark.parametrize("exercise", sorted(OTHER_CORRECT_ANSWERS))
def test_other_correct_answers_pass(exercise):
    """Checks accept any correct answer, not only the instructor's."""
    function = namespace(**{exercise: OTHER_CORRECT_ANSWERS[exercise]})[exercise]
    assert failure(exercise, function) is None


@pytest.mark.parametrize("body", ONE_BY_ONE_ANSWERS.values(), ids=ONE_BY_ONE_ANSWERS)
def test_any_single_matrix_product_counts_for_corr2d_1x1(body):
    """@, torch.matmul, einsum and tensordot are all one matrix product."""
    function = namespace(corr2d_1x1=f"def corr2d_1x1(X, K):\n    return {body}\n")["corr2d_1x1"]
    assert failure("corr2d_1x1", function) is None


def test_corr2d_1x1_pixel_loop_fails():
    """A matrix product per pixel is still a loop over the input."""
    source = '''
def corr2d_1x1(X, K):
    c_in, h, w = X.shape
    W = K.flatten(1)
    columns = [W @ X[:, i, j] for i in range(h) for j in range(w)]
    return torch.stack(columns, dim=1).reshape(K.shape[0], h, w)
'''
    message = failure("corr2d_1x1", namespace(corr2d_1x1=source)["corr2d_1x1"])
    assert message is not None and "must not loop over the input" in message


@pytest.mark.parametrize("value, phrase", [
    (1792.0, "returned 1792.0, a float"),
    (torch.tensor(1792), "returned a tensor"),
    (np.int64(1792), "of type numpy.int64; it must return a Python int (convert with int(...))"),
    (None, "returned None: did you forget the return statement?"),
    (True, "returned True, a bool"),
    ("1792", "of type str"),
])
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
