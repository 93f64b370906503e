"""Watch what a student's function runs: PyTorch operations and the course's own references.

Every tensor operation, however it is reached (``F.conv2d``, ``nn.Conv2d``,
``torch.ops.aten...``), passes through PyTorch's dispatcher, where a
:class:`~torch.utils._python_dispatch.TorchDispatchMode` sees it by its ATen name. That
gives two checks: a "from scratch" exercise must not run the built-in it replaces, and a
"vectorized" exercise must run a number of operations that does not grow with the input.
A profile hook adds a third: no exercise may hand in a call to a chapter's reference
implementations (``autograder/chapters/*/reference.py``), nor to
``autograder.runtime.blocks`` unless the exercise builds on those finished blocks.
"""

import contextlib
import contextvars
import sys
from collections.abc import Iterator
from pathlib import Path

# PyTorch imports this (and sympy: 0.3 s) the first time autograd runs under a dispatch mode:
# imported with the runtime, in the notebook's first cell, rather than in a student's first check.
import torch
import torch.func
import torch.fx.experimental.symbolic_shapes
from torch.utils._python_dispatch import TorchDispatchMode

from autograder.runtime.compare import CheckFailure

CHAPTERS_DIR = Path(__file__).parents[1] / "chapters"
BLOCKS_FILE = str(Path(__file__).parent / "blocks.py")


def is_reference_file(filename: str) -> bool:
    """Whether ``filename`` is one of the chapters' reference modules."""
    path = Path(filename)
    return path.name == "reference.py" and path.parent.parent == CHAPTERS_DIR


# Families of built-ins that exercises replace, by ATen operator name prefix.
BUILTINS = {
    "convolution": (
        "convolution",
        "_convolution",
        "conv",
        "_conv",
        "slow_conv",
        "thnn_conv",
        "cudnn_conv",
        "mkldnn_conv",
        "miopen_conv",
        "_slow_conv",
        "_nnpack_spatial_conv",
    ),
    "padding": ("constant_pad_nd", "pad", "reflection_pad", "replication_pad", "_pad_"),
    "pooling": (
        "max_pool",
        "avg_pool",
        "adaptive_avg_pool",
        "adaptive_max_pool",
        "_adaptive_avg_pool",
        "max_unpool",
        "fractional_max_pool",
        "mkldnn_max_pool",
        "_mkldnn_max_pool",
        "mkldnn_adaptive_avg_pool",
    ),
    "activation": (
        "sigmoid",
        "tanh",
        "relu",
        "_relu",
        "leaky_relu",
        "prelu",
        "_prelu",
        "rrelu",
        "hardtanh",
        "threshold",
        "elu",
        "gelu",
        "silu",
        "softplus",
        "log_sigmoid",
    ),
    "batch_norm": (
        "batch_norm",
        "native_batch_norm",
        "_native_batch_norm",
        "_batch_norm",
        "cudnn_batch_norm",
        "miopen_batch_norm",
        "instance_norm",
        "layer_norm",
        "native_layer_norm",
        "group_norm",
        "native_group_norm",
    ),
    # F.unfold and F.fold (chapter 12's im2col); Tensor.unfold, a view of sliding windows (ATen "unfold"), is allowed.
    "unfold": ("im2col", "col2im"),
}


# Every door into autograd, for the watch of an answer that must compute a gradient itself
# (:func:`watched_calls`): label -> (owner, attribute).
AUTOGRAD = {
    "torch.autograd.grad": (torch.autograd, "grad"),
    "torch.autograd.backward (which Tensor.backward calls)": (torch.autograd, "backward"),
    "Tensor.backward": (torch.Tensor, "backward"),
    "torch.autograd.functional.vjp": (torch.autograd.functional, "vjp"),
    "torch.autograd.functional.jacobian": (torch.autograd.functional, "jacobian"),
    "torch.func.grad": (torch.func, "grad"),
    "torch.func.vjp": (torch.func, "vjp"),
    "torch.func.jacrev": (torch.func, "jacrev"),
    "torch.func.jacfwd": (torch.func, "jacfwd"),
}


_in_block: contextvars.ContextVar[bool] = contextvars.ContextVar("in_finished_block", default=False)


@contextlib.contextmanager
def finished_block() -> Iterator[None]:
    """Inside the block, operations go unrecorded: a finished block of
    :mod:`autograder.runtime.blocks` may call the built-in that an answer built on it may not
    (an answer built on it is still "from scratch"). Only that module may use it."""
    if sys._getframe(2).f_code.co_filename != BLOCKS_FILE:
        raise CheckFailure("finished_block() is for the course's finished blocks only, not for answers.")
    token = _in_block.set(True)
    try:
        yield
    finally:
        _in_block.reset(token)


class _Recorder(TorchDispatchMode):
    """Record the name of every ATen operation run while active (but inside a finished block)."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[str] = []

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # Nothing here is compiled. Saying so keeps PyTorch from wrapping __torch_dispatch__
        # in torch._dynamo.disable, whose import costs 1-2 s (far more under load) per process.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if not _in_block.get():
            self.ops.append(func.overloadpacket.__name__)
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Yield the list that collects the ATen names of the operations run inside the block."""
    recorder = _Recorder()
    with recorder:
        yield recorder.ops


def used_builtins(ops: list[str], families: tuple[str, ...]) -> list[str]:
    """Return the recorded operation names that belong to any of the built-in ``families``."""
    prefixes = tuple(p for family in families for p in BUILTINS[family])
    return sorted({op for op in ops if op.startswith(prefixes)})


def assert_from_scratch(ops: list[str], what: str, families: tuple[str, ...]) -> None:
    """Fail when the operations ``ops`` that ``what`` ran include a forbidden built-in."""
    found = used_builtins(ops, families)
    if found:
        raise CheckFailure(
            f"{what} must be written from scratch, but it called PyTorch's built-in "
            f"{' and '.join(families)} (the operation {', '.join(found)} ran). "
            "Compute it with tensor indexing and arithmetic instead."
        )


@contextlib.contextmanager
def reference_calls(blocks: bool = False) -> Iterator[set[str]]:
    """Collect the course's reference functions called inside the block.

    With ``blocks``, the finished building blocks of :mod:`autograder.runtime.blocks` count too.
    """
    called: set[str] = set()
    verdicts: dict[str, str | None] = {}

    def module_of(filename: str) -> str | None:
        if filename not in verdicts:
            blocked = blocks and filename == BLOCKS_FILE
            verdicts[filename] = "blocks" if blocked else "reference" if is_reference_file(filename) else None
        return verdicts[filename]

    def profile(frame, event, arg):
        name = frame.f_code.co_name
        if event == "call" and not name.startswith("<") and (module := module_of(frame.f_code.co_filename)):
            called.add(f"{module}.{name}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield called
    finally:
        sys.setprofile(previous)


@contextlib.contextmanager
def watched_calls(targets: dict[str, tuple[object, str]]) -> Iterator[list[str]]:
    """Collect the labels of the watched functions called inside the block, except from the
    chapters' references (that is how they compute). ``targets`` maps a label to the
    ``(owner, attribute name)`` of a Python-level function, e.g. ``{"nn.Linear": (nn, "Linear")}``:
    for what the dispatcher cannot tell apart from plain arithmetic (``F.linear`` is a matrix
    product), each is replaced by a wrapper for the block's duration."""
    used: list[str] = []
    saved = []
    for label, (owner, name) in targets.items():
        original = getattr(owner, name)

        def spy(*args, _label=label, _original=original, **kwargs):
            if not is_reference_file(sys._getframe(1).f_code.co_filename):
                used.append(_label)
            return _original(*args, **kwargs)

        saved.append((owner, name, original))
        setattr(owner, name, spy)
    try:
        yield used
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)
