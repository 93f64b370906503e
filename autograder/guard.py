"""Watch what a student's function runs: PyTorch operations and the course's own references.

Every tensor operation, however it is reached (``F.conv2d``, ``nn.Conv2d``,
``torch.ops.aten...``), passes through PyTorch's dispatcher, where a
:class:`~torch.utils._python_dispatch.TorchDispatchMode` sees it by its ATen name. That
gives two checks: a "from scratch" exercise must not run the built-in it replaces, and a
"vectorized" exercise must run a number of operations that does not grow with the input.
A profile hook adds a third: no exercise may hand in a call to ``autograder.reference``
(nor to ``autograder.blocks``, unless the exercise builds on those finished blocks).
"""

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from torch.utils._python_dispatch import TorchDispatchMode

from autograder.compare import CheckFailure

REFERENCE_DIR = str(Path(__file__).parent / "reference")
BLOCKS_FILE = str(Path(__file__).parent / "blocks.py")

# Families of built-ins that exercises replace, by ATen operator name prefix.
BUILTINS = {
    "convolution": (
        "convolution", "_convolution", "conv", "_conv", "slow_conv", "thnn_conv",
        "cudnn_conv", "mkldnn_conv", "miopen_conv", "_slow_conv", "_nnpack_spatial_conv",
    ),
    "padding": ("constant_pad_nd", "pad", "reflection_pad", "replication_pad", "_pad_"),
    "pooling": (
        "max_pool", "avg_pool", "adaptive_avg_pool", "adaptive_max_pool", "_adaptive_avg_pool",
        "max_unpool", "fractional_max_pool", "mkldnn_max_pool", "_mkldnn_max_pool", "mkldnn_adaptive_avg_pool",
    ),
    "activation": (
        "sigmoid", "tanh", "relu", "_relu", "leaky_relu", "prelu", "_prelu", "rrelu", "hardtanh",
        "threshold", "elu", "gelu", "silu", "softplus", "log_sigmoid",
    ),
    "batch_norm": (
        "batch_norm", "native_batch_norm", "_native_batch_norm", "_batch_norm", "cudnn_batch_norm",
        "miopen_batch_norm", "instance_norm", "layer_norm", "native_layer_norm", "group_norm", "native_group_norm",
    ),
}


class _Recorder(TorchDispatchMode):
    """Record the name of every ATen operation run while active."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[str] = []

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # Nothing here is compiled. Saying so keeps PyTorch from wrapping __torch_dispatch__
        # in torch._dynamo.disable, whose import costs 1-2 s (far more under load) per process.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
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

    With ``blocks``, the finished building blocks of :mod:`autograder.blocks` count too.
    """
    called: set[str] = set()
    watched = (REFERENCE_DIR, BLOCKS_FILE) if blocks else (REFERENCE_DIR,)

    def profile(frame, event, arg):
        name = frame.f_code.co_name
        if event == "call" and frame.f_code.co_filename.startswith(watched) and not name.startswith("<"):
            module = "blocks" if frame.f_code.co_filename == BLOCKS_FILE else "reference"
            called.add(f"{module}.{name}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield called
    finally:
        sys.setprofile(previous)
