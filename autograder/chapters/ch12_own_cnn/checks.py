"""Visible checks of chapter 12 (your own CNN): ``im2col``, ``conv2d_im2col``, the modules ``OwnReLU``,
``OwnLinear``, ``OwnConv2d``, ``OwnMaxPool2d``, ``OwnBatchNorm2d``, the network ``OwnDigitsCNN`` and
``train_own_digits``.

``im2col`` is compared with ``F.unfold`` and ``conv2d_im2col`` with ``F.conv2d`` (the chapter's
recording, ``expected``), on fixed inputs: the chapter's 3x3 example, strides, padding, pairs and a
batch of non-square multi-channel inputs; neither may call the built-in it replaces, and their number
of tensor operations must not grow with the input (no loop over pixels); ``conv2d_im2col`` runs exactly
one matrix product. Then the stated properties.

Each module is checked against its ``nn`` twin, described as data (``expected.twin_layout``: the names,
shapes and dtypes of its parameters and buffers) and run by the recording (``expected.twin_pass``) in
float64 with the same weights: a table of cases (:data:`MODULE_CASES`) gives the constructor's arguments
and the inputs. For each case: the constructor, the parameters and buffers, the initialisation, the
``state_dict`` loaded from the twin's weights (strict) and given back unchanged, then in train mode (and
in eval mode for batch norm) the output, the gradients of the input and of every parameter for a fixed
output gradient, and the state after the passes (running statistics); the output must come from the
student's autograd Function (no PyTorch backward node between it and the inputs, but views), with no
built-in layer in the forward or the backward and no autograd inside the backward. Then the stated
properties: input unchanged, device kept (the dtype is kept by the float64 passes).

``OwnDigitsCNN`` is checked the same way against DigitsTwin, with its leaf modules first: the student's
own modules only, under the twin's names. ``train_own_digits`` runs chapter 10's short watched training
(:func:`autograder.chapters.ch10_simple_cnn.checks.assert_trained`) on chapter 10's practice network.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch10_simple_cnn.checks import PRACTICE, assert_same_weights, assert_trained, practice_network
from autograder.chapters.ch10_simple_cnn.data import Digits
from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser, dependency_note, failing_dependencies
from autograder.runtime.guard import AUTOGRAD, BUILTINS, assert_from_scratch, watched_calls
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

# What each answer may not hand to PyTorch (families of autograder.runtime.guard.BUILTINS).
IM2COL = ("unfold", "convolution")
MODULES = ("convolution", "pooling", "activation", "batch_norm", "unfold")
# F.linear is a matrix product to the dispatcher: watched by name, with nn.Linear (which calls it).
LINEAR = {"F.linear (or nn.Linear)": (F, "linear")}
# The checks' own gradients, taken before any watch replaces torch.autograd.grad.
_grad = torch.autograd.grad
# The ATen matrix products: conv2d_im2col runs exactly one.
MATRIX_PRODUCTS = {"mm", "bmm", "addmm", "baddbmm", "addbmm", "mv", "addmv", "dot", "vdot", "matmul", "_mm"}
# Autograd nodes of layout operations: a view, a copy or a dtype change between the student's
# Functions (OwnDigitsCNN's flatten, a .contiguous()) computes nothing.
LAYOUT_NODES = {
    "View",
    "Reshape",
    "ReshapeAlias",
    "UnsafeView",
    "Expand",
    "Permute",
    "Transpose",
    "T",
    "Clone",
    "ToCopy",
    "Squeeze",
    "Unsqueeze",
    "Alias",
    "AsStrided",
    "Select",
}


def scratch_call(fn, *args, what: str, families: tuple[str, ...], **kwargs):
    """``call(fn, *args)``, failing when it runs a built-in of ``families``; the message names only the
    families it used (the operation F.max_pool2d runs is "pooling", not "convolution and pooling and ...")."""
    result, ops = call(fn, *args, what=what, **kwargs)
    hit = tuple(f for f in families if any(op.startswith(BUILTINS[f]) for op in ops))
    if hit:
        assert_from_scratch(ops, what, hit)
    return result, ops


def _text(args: tuple, kwargs: dict) -> str:
    """Arguments as a call writes them: ``2, 3, (3, 2), stride=(2, 1)``."""
    return ", ".join([*(repr(a) for a in args), *(f"{k}={v!r}" for k, v in kwargs.items())])


def _normal(seed: int, *shape: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Fixed standard normal values of ``shape`` on the course device, from their own generator (the
    answer's random draws, such as its initialisation, do not change them)."""
    values = torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return values.to(device=device(), dtype=dtype)


# ---------------------------------------------------------------------------------------
# im2col


def im2col_text(args: tuple) -> str:
    X, kernel_size, stride, padding = args
    return (
        f"im2col(X, kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}) with X of shape "
        f"{shape_text(X.shape)}"
    )


def im2col_examples(dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """The chapter's 3x3 example, stride 2, padding 1, and a batch of non-square multi-channel inputs
    with a pair kernel, stride and padding."""
    X3, X4 = kit.numbers(1, 1, 3, 3), kit.numbers(1, 1, 4, 4)
    X = kit.numbers(2, 3, 5, 6, modulo=7, shift=3.0).to(dtype)
    return [
        ((X3, 2, 1, 0), "X = 0..8 (the chapter's example: the columns are the four 2x2 windows)"),
        ((X4, 2, 2, 0), "X = 0..15, stride 2"),
        ((X3, 2, 1, 1), "X = 0..8 with padding 1"),
        (
            (X, (3, 2), (2, 1), (1, 0)),
            "a batch of non-square inputs with 3 channels, X 2x3x5x6 = 0..179 mod 7 minus 3",
        ),
    ]


def _ops_do_not_grow(fn, small: tuple, large: tuple, name: str, families: tuple[str, ...]) -> None:
    kit.assert_ops_do_not_grow(
        fn,
        kit.copies(*small),
        kit.copies(*large),
        f"{name} (on inputs of shapes {shape_text(small[0].shape)} and {shape_text(large[0].shape)})",
        "Cut out all the windows at once: F.pad, then Tensor.unfold along the rows and the columns (views), "
        "permute and reshape; a loop over the kernel's positions is fine, one over the pixels or the batch is not.",
        from_scratch=families,
        blocks=False,
    )


@diagnosed
def check_im2col(im2col) -> None:
    """Visible checks of ``im2col``: the chapter's 3x3 example, stride 2, padding 1, a batch of non-square
    multi-channel inputs with pair sizes; no loop over pixels; then the stated properties."""
    for args, inputs in im2col_examples():
        what = f"{im2col_text(args)}, on {inputs}"
        got, _ = scratch_call(im2col, *kit.copies(*args), what=what, families=IM2COL, blocks=False)
        assert_matches(got, expected.im2col(*args), what)
    large = (kit.numbers(2, 3, 11, 13, modulo=7, shift=3.0), *args[1:])
    _ops_do_not_grow(im2col, args, large, "im2col", IM2COL)
    properties.assert_properties(im2col, args, what, {0: "X"}, from_scratch=IM2COL, blocks=False)


# ---------------------------------------------------------------------------------------
# conv2d_im2col


def conv_text(args: tuple) -> str:
    X, K, b, stride, padding = args
    bias = "b" if b is not None else "None"
    return (
        f"conv2d_im2col(X, K, {bias}, stride={stride!r}, padding={padding!r}) with X of shape "
        f"{shape_text(X.shape)} and K of shape {shape_text(K.shape)}"
    )


def conv_examples(dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """The chapter's example with a bias, two channels in and three out without bias and with padding,
    and a batch of non-square inputs with pair kernel, stride and padding."""
    X3, K2 = kit.numbers(1, 1, 3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])[None, None]
    X = kit.numbers(2, 3, 6, 5, modulo=7, shift=3.0).to(dtype)
    K = kit.numbers(4, 3, 3, 2, modulo=5, shift=2.0).to(dtype)
    b = kit.on_device([0.5, -1.0, 2.0, 0.0], dtype)
    return [
        ((X3, K2, kit.on_device([1.0]), 1, 0), "X = 0..8, K = [[0, 1], [2, 3]], b = [1] (the chapter's example)"),
        (
            (kit.numbers(1, 2, 4, 5, modulo=5), kit.numbers(3, 2, 2, 2, modulo=3, shift=1.0), None, 1, 1),
            "two channels in, three out, no bias: X 1x2x4x5 = 0..39 mod 5, K 3x2x2x2 = 0..23 mod 3 minus 1",
        ),
        (
            (X, K, b, (2, 1), (1, 2)),
            "a batch of non-square inputs, N = 2, Ci = 3, Co = 4, b = [0.5, -1, 2, 0] (X 0..179 mod 7 minus 3, "
            "K 0..71 mod 5 minus 2)",
        ),
    ]


def assert_one_matrix_product(conv2d_im2col, args: tuple, what: str) -> None:
    """``conv2d_im2col`` runs exactly one matrix product (mm, bmm, ... at the ATen level)."""
    _, ops = scratch_call(conv2d_im2col, *kit.copies(*args), what=what, families=IM2COL, blocks=False)
    products = [op for op in ops if op in MATRIX_PRODUCTS]
    if len(products) == 1:
        return
    if not products:
        raise CheckFailure(
            f"{what} ran no matrix product: the chapter computes the convolution as ONE matrix product, the "
            "flattened kernel (Co, Ci * kh * kw) times im2col's columns (N, Ci * kh * kw, L), with @ or "
            "torch.matmul, not as elementwise products and sums."
        )
    raise CheckFailure(
        f"{what} ran {len(products)} matrix products ({', '.join(products[:6])}"
        f"{', ...' if len(products) > 6 else ''}); the chapter computes it as one matrix product for the "
        "whole batch: the flattened kernel (Co, Ci * kh * kw) @ the columns (N, Ci * kh * kw, L) broadcasts "
        "over the batch. A loop over the batch, the output channels or the pixels runs one per iteration."
    )


@diagnosed
def check_conv2d_im2col(conv2d_im2col) -> None:
    """Visible checks of ``conv2d_im2col``: the chapter's example, no bias with padding, a batch of
    non-square inputs with pair sizes; one matrix product, no loop over pixels or the batch; then the
    stated properties."""
    for args, inputs in conv_examples():
        what = f"{conv_text(args)}, on {inputs}"
        got, _ = scratch_call(conv2d_im2col, *kit.copies(*args), what=what, families=IM2COL, blocks=False)
        assert_matches(got, expected.conv2d_im2col(*args), what)
    assert_one_matrix_product(conv2d_im2col, args, what)
    _, K, b, stride, padding = args
    large = (kit.numbers(5, 3, 11, 9, modulo=7, shift=3.0), K, b, stride, padding)
    _ops_do_not_grow(conv2d_im2col, args, large, "conv2d_im2col", IM2COL)
    properties.assert_properties(conv2d_im2col, args, what, {0: "X", 1: "K", 2: "b"}, from_scratch=IM2COL, blocks=False)


# ---------------------------------------------------------------------------------------
# The modules


@dataclass(frozen=True)
class ModuleCase:
    """One case of a module's check: its constructor's arguments, the inputs of each training step
    (``xs``, run in turn), the output gradient, and whether an eval-mode pass follows."""

    args: tuple
    kwargs: dict
    xs: tuple
    G: torch.Tensor
    inputs: str
    eval_too: bool = False
    seed: int = 0  # of the weights loaded into both modules
    init: bool = True  # test the initialisation on this case's fresh module

    def call_text(self, name: str) -> str:
        return f"{name}({_text(self.args, self.kwargs)})"


@dataclass
class Source:
    """Where the twin's results come from: the recording (visible checks) or the reference (hidden)."""

    twin_layout: Callable
    twin_pass: Callable
    extra: dict = field(default_factory=dict)


VISIBLE = Source(lambda *a: expected.twin_layout(*a), lambda *a: expected.twin_pass(*a))


def _ties(seed: int, *shape: int) -> torch.Tensor:
    """Small integers (many ties in every window), float64."""
    return (_normal(seed, *shape) * 1.5).round()


def _with_zeros(seed: int, *shape: int) -> torch.Tensor:
    """Values on a grid of halves: many exact zeros, float64."""
    return (_normal(seed, *shape) * 2).round() / 2


def module_cases(name: str) -> list[ModuleCase]:
    """The visible check's cases of the module ``name`` (float64 inputs, fixed values)."""
    if name == "OwnReLU":
        x = _with_zeros(1, 2, 3, 4, 5)
        return [ModuleCase((), {}, (x,), _normal(2, 2, 3, 4, 5), "a batch of non-square inputs holding zeros")]
    if name == "OwnLinear":
        return [
            ModuleCase((8, 6), {}, (_normal(3, 5, 8),), _normal(4, 5, 6), "a batch of 5 inputs", seed=1),
            ModuleCase((7, 3), {"bias": False}, (_normal(5, 4, 7),), _normal(6, 4, 3), "a batch of 4 inputs", seed=2),
        ]
    if name == "OwnConv2d":
        return [
            ModuleCase(
                (2, 3, 3), {}, (_normal(7, 2, 2, 6, 5),), _normal(8, 2, 3, 4, 3), "a batch of non-square inputs"
            ),
            ModuleCase(
                (3, 4, (3, 2)),
                {"stride": (2, 1), "padding": (1, 2), "bias": False},
                (_normal(9, 2, 3, 7, 6),),
                _normal(10, 2, 4, 4, 9),
                "a batch of non-square inputs",
                seed=3,
            ),
        ]
    if name == "OwnMaxPool2d":
        return [
            ModuleCase(
                (2,), {}, (_ties(11, 2, 3, 6, 4),), _normal(12, 2, 3, 3, 2), "a batch of non-square inputs with ties"
            ),
            ModuleCase(
                ((3, 2), (2, 1)),
                {},
                (_ties(13, 2, 2, 7, 5),),
                _normal(14, 2, 2, 3, 4),
                "a batch of non-square inputs with ties and overlapping windows",
            ),
        ]
    if name == "OwnBatchNorm2d":
        return [
            ModuleCase(
                (3,),
                {},
                (_normal(15, 4, 3, 5, 6) * 2 + 1, _normal(16, 4, 3, 5, 6) - 0.5),
                _normal(17, 4, 3, 5, 6),
                "two batches of 4 non-square inputs, one training step each",
                eval_too=True,
                seed=4,
            ),
            ModuleCase(
                (2,),
                {"eps": 1e-3, "momentum": 0.3},
                (_normal(18, 3, 2, 4, 5) * 3, _normal(19, 3, 2, 4, 5) + 1),
                _normal(20, 3, 2, 4, 5),
                "two batches of 3 non-square inputs, one training step each",
                eval_too=True,
                seed=5,
            ),
        ]
    raise KeyError(name)


def build(cls, name: str, args: tuple, kwargs: dict) -> nn.Module:
    """The student's module, constructed (on the course device)."""
    what = f"{name}({_text(args, kwargs)})"
    module, _ = call(cls, *args, what=what, **kwargs)
    if not isinstance(module, nn.Module):
        raise CheckFailure(
            f"{what} made {describe(module)}; {name} must be a class that subclasses nn.Module "
            f"(class {name}(nn.Module): ...)."
        )
    return module.to(device())


def _listed(names) -> str:
    return ", ".join(names) if names else "none"


def assert_layout(module: nn.Module, layout: dict, what: str, twin: str) -> None:
    """The module's parameters and buffers have the twin's names, shapes and dtypes."""
    for kind, found in (
        ("parameters", dict(module.named_parameters())),
        ("buffers", dict(module.named_buffers())),
    ):
        want = layout[kind]
        if list(found) != list(want):
            missing = [n for n in want if n not in found]
            advice = ""
            if kind == "buffers" and missing:
                advice = (
                    " A running statistic kept as a plain attribute (self.running_mean = torch.zeros(...)) is "
                    "not a buffer: it is not in the state_dict, and .to() and .double() leave it behind. Make it "
                    'with self.register_buffer("running_mean", ...).'
                )
            elif kind == "parameters" and missing:
                advice = " A parameter is an nn.Parameter assigned to an attribute of that name (or None when absent)."
            raise CheckFailure(
                f"{what} has the {kind} {_listed(found)}; its twin {twin} has {_listed(want)}, and a state_dict "
                f"must load from one into the other.{advice}"
            )
        for n, tensor in found.items():
            shape, dtype = want[n]
            if list(tensor.shape) != list(shape):
                transposed = (
                    " (the transpose: nn.Linear stores its weight as (out_features, in_features))"
                    if len(shape) == 2 and list(tensor.shape) == shape[::-1]
                    else ""
                )
                raise CheckFailure(
                    f"{what}: {n} has shape {shape_text(tensor.shape)}; in {twin} it has shape "
                    f"{shape_text(shape)}{transposed}, and a state_dict must load from one into the other."
                )
            if tensor.dtype != dtype:
                raise CheckFailure(f"{what}: {n} is {tensor.dtype}; in {twin} it is {dtype}.")
    keys = list(module.state_dict())
    if keys != list(layout["state"]):
        extra = [k for k in keys if k not in layout["state"]]
        raise CheckFailure(
            f"{what}: its state_dict holds {_listed(keys)}; that of {twin} holds {_listed(layout['state'])}"
            + (f" ({_listed(extra)} besides: a module inside yours adds its own names)" if extra else "")
            + ", and a state_dict must load from one into the other (strictly)."
        )


# The initialisation of each twin: (parameter, rule) with rule "uniform" (within +-1/sqrt(fan_in), fan_in
# from the weight), or a constant.
INIT = {
    "OwnLinear": {"weight": "uniform", "bias": "uniform"},
    "OwnConv2d": {"weight": "uniform", "bias": "uniform"},
    "OwnBatchNorm2d": {"weight": 1.0, "bias": 0.0, "running_mean": 0.0, "running_var": 1.0, "num_batches_tracked": 0},
}
SPREAD_FROM = 40  # a weight of this many uniform values has one beyond half the bound but once in 2^40


def assert_initialised(module: nn.Module, name: str, what: str) -> None:
    """The fresh module's parameters and buffers are initialised as the twin's."""
    rules = INIT.get(name, {})
    state = dict(module.state_dict())
    if not rules:
        return
    weight = state.get("weight")
    fan_in = weight[0].numel() if weight is not None else 1
    bound = fan_in**-0.5
    for n, rule in rules.items():
        value = state.get(n)
        if value is None:
            continue
        if rule == "uniform":
            largest = float(value.detach().abs().max()) if value.numel() else 0.0
            if largest > bound * (1 + 1e-6):
                raise CheckFailure(
                    f"{what}: {n} holds values up to {largest:.3g} in size; its twin draws them uniformly in "
                    f"[-1/sqrt(fan_in), 1/sqrt(fan_in)] = [-{bound:.3g}, {bound:.3g}] (fan_in = {fan_in})."
                )
            if n == "weight" and value.numel() >= SPREAD_FROM and largest < bound / 2:
                zero = (
                    " (all zeros: every unit would compute the same and get the same gradient)" if largest == 0 else ""
                )
                raise CheckFailure(
                    f"{what}: the {value.numel()} values of {n} all lie within {largest:.3g} of 0{zero}; its twin "
                    f"draws them uniformly in [-{bound:.3g}, {bound:.3g}] (fan_in = {fan_in}), as nn.init.uniform_ "
                    "with that bound does."
                )
        elif not bool((value == rule).all()):
            raise CheckFailure(
                f"{what}: a new module's {n} should be {rule} everywhere, as in its twin; it is {value.tolist()}."
            )


def seeded_state(layout: dict, seed: int) -> dict[str, torch.Tensor]:
    """Weights and buffers for both modules, drawn from ``seed`` by name and shape (float64):
    positive running variances, a count of batches."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for kind in ("parameters", "buffers"):
        for n, (shape, dtype) in layout[kind].items():
            if not dtype.is_floating_point:
                state[n] = torch.tensor(3, dtype=dtype, device=device()).reshape(shape)
                continue
            values = torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1
            if n.endswith("running_var"):
                values = values.abs() + 0.5
            state[n] = values.to(device())
    return state


def load(module: nn.Module, state: dict, what: str, twin: str) -> None:
    """Load the twin's ``state`` into the module (strict), and read it back unchanged."""
    call(module.load_state_dict, state, what=f"{what}.load_state_dict(a state_dict of {twin})")
    back = module.state_dict()
    for n, value in state.items():
        if n not in back or not torch.equal(back[n].to(value.dtype), value):
            raise CheckFailure(
                f"{what}: after load_state_dict, its state_dict() gives {n} back changed or not at all: the "
                f"weights loaded from {twin} must be the ones the module uses."
            )


def _node_kind(node) -> str:
    """An autograd node's operation: ``ConvolutionBackward0`` -> ``Convolution``."""
    return type(node).__name__.rstrip("0123456789").removesuffix("Backward")


def builtin_nodes(out: torch.Tensor) -> tuple[bool, list[str]]:
    """Whether ``out`` comes from a custom autograd Function, and the PyTorch backward nodes (but
    layout ones) on the paths from ``out`` back to the leaves."""
    top = out.grad_fn
    while top is not None and _node_kind(top) in LAYOUT_NODES and len(top.next_functions) == 1:
        top = top.next_functions[0][0]  # through a reshape or a copy at the end
    own = isinstance(top, torch.autograd.function.BackwardCFunction)
    found, seen, stack = [], set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        kind = type(node).__name__
        if not isinstance(node, torch.autograd.function.BackwardCFunction) and kind != "AccumulateGrad":
            if _node_kind(node) not in LAYOUT_NODES and kind not in found:
                found.append(kind)
        stack += [n for n, _ in node.next_functions]
    return own, found


def assert_own_function(out: torch.Tensor, what: str) -> None:
    """The output comes from the student's Function and no PyTorch backward computes a gradient."""
    own, found = builtin_nodes(out)
    if own and not found:
        return
    where = f" (autograd recorded {', '.join(found[:4])}{', ...' if len(found) > 4 else ''})" if found else ""
    raise CheckFailure(
        f"{what}: its gradients are not computed by your own backward{where}. The forward must return "
        "YourFunction.apply(...), a torch.autograd.Function of yours that computes the whole layer (bias "
        "included, in train and eval mode), so that autograd calls its backward; arithmetic on tensors that "
        "require grad outside a Function lets autograd differentiate it instead."
    )


def _used_message(what: str, used: list[str]) -> str:
    names = " and ".join(sorted(set(used)))
    if any(name.startswith("F.linear") for name in used):
        return (
            f"{what} must be written from scratch, but it called {names}: compute the layer with a matrix "
            "product (@) inside your Function."
        )
    return (
        f"{what} must be written from scratch, but it called {names}: autograd would compute the gradient "
        "for you. Compute the gradients by hand in your Function's backward."
    )


def run_passes(module: nn.Module, xs: tuple, G: torch.Tensor, what: str, families: tuple[str, ...]) -> tuple:
    """Run ``module`` on each input of ``xs`` in turn, each followed by the backward of ``sum(out * G)``;
    return the last output, the gradients of its input and of the parameters (by name)."""
    names = [n for n, _ in module.named_parameters()]
    with watched_calls({**AUTOGRAD, **LINEAR}) as used:
        for x in xs:
            leaf = x.detach().clone().requires_grad_(True)
            out, _ = scratch_call(module, leaf, what=what, families=families)
            if used:
                raise CheckFailure(_used_message(what, used))
            if not isinstance(out, torch.Tensor):
                raise CheckFailure(f"{what} returned {describe(out)}; expected a tensor.")
            if out.shape != G.shape:
                raise CheckFailure(
                    f"{what} returned a tensor of shape {shape_text(out.shape)}; expected shape {shape_text(G.shape)}."
                )
            if not out.requires_grad:
                raise CheckFailure(
                    f"{what} is not differentiable: its output is not connected to its input and parameters in "
                    "the autograd graph. The forward must return YourFunction.apply(...) of the input and the "
                    "parameters."
                )
            if out.dtype != leaf.dtype:
                raise CheckFailure(
                    f"{what} does not keep the input's dtype: given a float64 input (and the module converted "
                    f"with .double()), it returned a {out.dtype} tensor. Compute in the dtype of the input and "
                    "the parameters; make new tensors with dtype=X.dtype (or torch.zeros_like and friends)."
                )
            assert_own_function(out, what)
            params = list(module.parameters())
            grads, _ = scratch_call(
                _grad, out, [leaf, *params], G, allow_unused=True, what=f"The backward of {what}", families=families
            )
            if used:
                raise CheckFailure(_used_message(f"The backward of {what}", used))
    return out, grads[0], dict(zip(names, grads[1:]))


def assert_pass(module, name: str, case: ModuleCase, state: dict, training: bool, source: Source, families) -> None:
    """One mode of one case: outputs, gradients and state after the passes match the twin's."""
    mode = "train" if training else "eval"
    steps = len(case.xs) if training else 1
    xs = case.xs if training else case.xs[-1:]
    what = f"{case.call_text(name)} in {mode} mode, on {case.inputs}, float64"
    twin = f"nn.{expected_twin(name)}"
    load(module, state, case.call_text(name), twin)
    module.train(training)
    out, dX, grads = run_passes(module, xs, case.G, what, families)
    want = source.twin_pass(name, case.args, case.kwargs, state, xs, case.G, training)
    assert_matches(out, want["output"], f"The output of {what}")
    if dX is None:
        raise CheckFailure(f"{what}: the backward of your Function returned None for the input's gradient.")
    assert_matches(dX, want["dX"], f"The gradient with respect to the input of {what} (for the output gradient G)")
    for n, wanted in want["grads"].items():
        got = grads.get(n)
        if got is None:
            raise CheckFailure(f"{what}: {n} gets no gradient (the backward of your Function returned None for it).")
        assert_matches(got, wanted, f"The gradient of {n} of {what} (for the output gradient G)")
    after = module.state_dict()
    for n, wanted in want["state"].items():
        passes = f"{steps} forward pass{'es' if steps > 1 else ''}"
        assert_matches(
            after[n], wanted, f"{n} of {case.call_text(name)} after {passes} in {mode} mode on {case.inputs}"
        )


def expected_twin(name: str) -> str:
    """The ``nn`` twin's class name: ``OwnConv2d`` -> ``Conv2d``."""
    return "DigitsTwin" if name == "OwnDigitsCNN" else name.removeprefix("Own")


def forward_and_backward(module: nn.Module, G: torch.Tensor) -> Callable:
    """``X -> (module(X), dX)``: the forward and the backward of the module, for the property checks."""

    def run(X):
        leaf = X if X.requires_grad else X.requires_grad_(True)  # the check's copy itself: changes show
        out = module(leaf)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            return out, None  # the passes say what is wrong
        return out, _grad(out, leaf, G if out.shape == G.shape else torch.ones_like(out), allow_unused=True)[0]

    return run


def assert_module_properties(module: nn.Module, name: str, case: ModuleCase) -> None:
    """The stated properties on the case's first input: unchanged by the forward and the backward, the
    results on the input's device (the dtype: kept by the float64 passes)."""
    what = f"{case.call_text(name)} (forward and backward) on {case.inputs}, float64"
    fn = forward_and_backward(module, case.G)
    x = case.xs[0]
    properties.assert_inputs_unchanged(fn, (x.clone(),), what, {0: "X"})
    properties.assert_device_kept(fn, (x.clone(),), what)


def assert_module_case(cls, name: str, case: ModuleCase, source: Source, families=MODULES) -> None:
    """Everything one case of a module's check tests (see the module's text)."""
    module = build(cls, name, case.args, case.kwargs)
    what = case.call_text(name)
    twin = f"nn.{expected_twin(name)}({_text(case.args, case.kwargs)})"
    layout = source.twin_layout(name, case.args, case.kwargs)
    assert_layout(module, layout, what, twin)
    if case.init:
        assert_initialised(module, name, what)
    module.double()
    state = seeded_state(layout, case.seed)
    load(module, state, what, twin)
    assert_module_properties(module, name, case)
    assert_pass(module, name, case, state, True, source, families)
    if case.eval_too:
        assert_pass(module, name, case, state, False, source, families)


# The notebook's other answers each module's Function (or the network) calls: when a check fails, those
# that fail their own visible check are named (a class's Functions hide them from the diagnosis).
DEPENDS = {
    "OwnConv2d": ("im2col", "conv2d_im2col"),
    "OwnMaxPool2d": ("im2col",),
    "OwnDigitsCNN": ("im2col", "conv2d_im2col", "OwnReLU", "OwnLinear", "OwnConv2d", "OwnMaxPool2d", "OwnBatchNorm2d"),
}


def noting_dependencies(answer, name: str, check: Callable[[], None]) -> None:
    """Run ``check``; when it fails, say which answers ``name`` builds on (:data:`DEPENDS`) fail their own
    visible check."""
    try:
        check()
    except CheckFailure as failure:
        failing = failing_dependencies(globals()[f"check_{name}"].__wrapped__, answer, DEPENDS.get(name, ()))
        if not failing:
            raise
        raise failure.extended(dependency_note(name, failing)) from None


def _assert_cases(cls, name: str) -> None:
    for case in module_cases(name):
        assert_module_case(cls, name, case, VISIBLE)


def assert_modules(cls, name: str) -> None:
    noting_dependencies(cls, name, partial(_assert_cases, cls, name))


@diagnosed.by_failure
def check_OwnReLU(OwnReLU) -> None:
    """Visible checks of ``OwnReLU``: against nn.ReLU on a batch of non-square inputs holding zeros (the
    output, the gradient, 0 at x = 0), through your Function, with no built-in activation; the properties."""
    assert_modules(OwnReLU, "OwnReLU")


@diagnosed.by_failure
def check_OwnLinear(OwnLinear) -> None:
    """Visible checks of ``OwnLinear``: with and without bias, parameters, init, state_dict, output and
    gradients against nn.Linear, through your Function, without F.linear; the properties."""
    assert_modules(OwnLinear, "OwnLinear")


@diagnosed.by_failure
def check_OwnConv2d(OwnConv2d) -> None:
    """Visible checks of ``OwnConv2d``: defaults, then a pair kernel, stride and padding without bias;
    parameters, init, state_dict, output and gradients against nn.Conv2d; the properties."""
    assert_modules(OwnConv2d, "OwnConv2d")


@diagnosed.by_failure
def check_OwnMaxPool2d(OwnMaxPool2d) -> None:
    """Visible checks of ``OwnMaxPool2d``: the default stride, a pair kernel and stride with overlapping
    windows, ties; output and gradient against nn.MaxPool2d; the properties."""
    assert_modules(OwnMaxPool2d, "OwnMaxPool2d")


@diagnosed.by_failure
def check_OwnBatchNorm2d(OwnBatchNorm2d) -> None:
    """Visible checks of ``OwnBatchNorm2d``: defaults, then eps and momentum; parameters, buffers, init,
    state_dict, two training steps (outputs, gradients, running statistics) and eval mode, against
    nn.BatchNorm2d; the properties."""
    assert_modules(OwnBatchNorm2d, "OwnBatchNorm2d")


# ---------------------------------------------------------------------------------------
# OwnDigitsCNN

OWN_MODULES = ("OwnConv2d", "OwnBatchNorm2d", "OwnReLU", "OwnMaxPool2d", "OwnLinear")
CONTAINERS = (nn.Sequential,)


def assert_own_leaves(model: nn.Module, layout: dict, what: str) -> None:
    """Every leaf module is one of the student's own, under the twin's names, in order."""
    leaves = [(n, m) for n, m in model.named_modules() if n and not list(m.children())]
    for n, m in leaves:
        kind = type(m)
        if kind.__module__.startswith("torch.") and not isinstance(m, CONTAINERS):
            raise CheckFailure(
                f"{what} must be built from scratch, from your own modules only ({', '.join(OWN_MODULES)}; "
                f"nn.Sequential is the only nn container it may use): {n} is torch's nn.{kind.__name__}."
            )
    want = layout["modules"]
    names = [n for n, _ in leaves]
    if names != list(want):
        first = next((i for i, (a, b) in enumerate(zip(names, want)) if a != b), min(len(names), len(want)))
        got_name = names[first] if first < len(names) else "nothing"
        want_name = list(want)[first] if first < len(want) else "nothing"
        raise CheckFailure(
            f"{what}'s layers, in order, are {', '.join(names)}; expected {', '.join(want)} (first difference: "
            f"expected {want_name}, got {got_name}). The names make its state_dict load into the nn twin and back."
        )
    for n, m in leaves:
        wanted = f"Own{want[n]}"
        if type(m).__name__ != wanted:
            raise CheckFailure(f"{what}: {n} is a {type(m).__name__}; expected your {wanted}.")


def digits_case(seed: int = 0) -> ModuleCase:
    """The visible check's batch: 4 digits (values in [0, 1] as the real ones), float64."""
    x = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(21 + seed), dtype=torch.float64)
    return ModuleCase(
        (), {}, (x.to(device()),), _normal(22 + seed, 4, 10), "a batch of 4 digits", True, 6 + seed, False
    )


def assert_digits(cls, case: ModuleCase, source: Source) -> None:
    """OwnDigitsCNN: its layers, parameters and buffers, then train and eval passes against DigitsTwin."""
    name, what = "OwnDigitsCNN", "OwnDigitsCNN()"
    model = build(cls, name, (), {})
    layout = source.twin_layout(name, (), {})
    assert_own_leaves(model, layout, what)
    assert_layout(model, layout, what, "DigitsTwin, its nn twin")
    model.double()
    state = seeded_state(layout, case.seed)
    assert_pass(model, name, case, state, True, source, MODULES)
    assert_pass(model, name, case, state, False, source, MODULES)


@diagnosed.by_failure
def check_OwnDigitsCNN(OwnDigitsCNN) -> None:
    """Visible checks of ``OwnDigitsCNN``: your modules only, under DigitsTwin's names; parameters and
    buffers; with the same weights, the output and every gradient on a batch of 4 digits in train and
    eval mode, float64."""
    noting_dependencies(OwnDigitsCNN, "OwnDigitsCNN", partial(assert_digits, OwnDigitsCNN, digits_case(), VISIBLE))


# ---------------------------------------------------------------------------------------
# train_own_digits


@diagnosed.by_failure
def check_train_own_digits(train_own_digits) -> None:
    """Visible check of ``train_own_digits``: chapter 10's short watched run (two epochs over 80 images,
    on the CPU) of a small nn network: the recipe, the returned accuracy, and the weights the run ends
    with, against the course's run from the same seed."""
    data = Digits(*(tensor.cpu() for tensor in expected.practice_digits()))
    run, _ = assert_trained(train_own_digits, practice_network, data, **PRACTICE, name="train_own_digits")
    assert_same_weights(run, expected.practice_run(**PRACTICE))
