"""References for chapter 12 (your own CNN): im2col as ``F.unfold`` lays it out, the convolution
as ``F.conv2d``, the ``nn`` twins of the student's modules, and the twin of ``OwnDigitsCNN``.

Training is chapter 10's recipe (Adam, cross-entropy, mini-batches of 32) on chapter 10's digits:
:func:`train_own_digits` is chapter 10's ``train_digits``.
"""

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

# practice_digits and practice_run: the visible check of train_own_digits is chapter 10's short
# watched run, recorded for chapter 12 too.
from autograder.chapters.ch10_simple_cnn.reference import (  # noqa: F401
    DIGITS_CHANNELS,
    DIGITS_FLAT,
    DIGITS_HIDDEN,
    NUM_CLASSES,
    DigitsCNN,
    practice_digits,
    practice_run,
    train_digits,
)
from autograder.runtime.kit import as_pair

# Each of the student's modules and its nn twin: same constructor arguments, parameter names and shapes.
TWINS = {
    "OwnConv2d": nn.Conv2d,
    "OwnMaxPool2d": nn.MaxPool2d,
    "OwnBatchNorm2d": nn.BatchNorm2d,
    "OwnReLU": nn.ReLU,
    "OwnLinear": nn.Linear,
}


def im2col(X: torch.Tensor, kernel_size, stride=1, padding=0) -> torch.Tensor:
    """The windows of ``X`` (N, C, H, W) as columns, (N, C * kh * kw, L) with L = H_out * W_out:
    column l holds the window of output pixel l (row-major), channel by channel, each row-major."""
    return F.unfold(X, as_pair(kernel_size), padding=as_pair(padding), stride=as_pair(stride))


def conv2d_im2col(X: torch.Tensor, K: torch.Tensor, b: torch.Tensor | None = None, stride=1, padding=0) -> torch.Tensor:
    """The convolution layer's forward (a cross-correlation), as ``F.conv2d``."""
    return F.conv2d(X, K, b, as_pair(stride), as_pair(padding))


def im2col_bytes(shape, kernel_size, stride=1, padding=0, itemsize: int = 4) -> tuple[int, int]:
    """Bytes of an input of ``shape`` (N, C, H, W) and of its im2col matrix."""
    N, C, H, W = shape
    (kh, kw), (sh, sw), (ph, pw) = as_pair(kernel_size), as_pair(stride), as_pair(padding)
    L = ((H + 2 * ph - kh) // sh + 1) * ((W + 2 * pw - kw) // sw + 1)
    return N * C * H * W * itemsize, N * C * kh * kw * L * itemsize


def _conv_block(number: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """conv<number> (3x3, padding 1) - bn<number> - relu<number> - pool<number> (2x2): halves H and W."""
    block = nn.Sequential()
    block.add_module(f"conv{number}", nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
    block.add_module(f"bn{number}", nn.BatchNorm2d(out_channels))
    block.add_module(f"relu{number}", nn.ReLU())
    block.add_module(f"pool{number}", nn.MaxPool2d(kernel_size=2))
    return block


def _digits_layers() -> "OrderedDict[str, nn.Sequential]":
    head = nn.Sequential()
    head.add_module("fc1", nn.Linear(DIGITS_FLAT, DIGITS_HIDDEN))
    head.add_module("fc_relu1", nn.ReLU())
    head.add_module("fc2", nn.Linear(DIGITS_HIDDEN, NUM_CLASSES))
    return OrderedDict(
        layer1=_conv_block(1, 1, DIGITS_CHANNELS[0]),
        layer2=_conv_block(2, *DIGITS_CHANNELS),
        layer3=head,
    )


class DigitsTwin(DigitsCNN):
    """The ``nn`` twin of ``OwnDigitsCNN``: chapter 10's DigitsCNN with a batch norm in each block and no
    dropout. Two blocks conv (3x3, padding 1) - batch norm - ReLU - max pool (2x2), with 16 and 32
    channels (8x8 -> 4x4 -> 2x2), then 128 -> 64 -> ReLU -> 10."""

    layers = staticmethod(_digits_layers)


def train_own_digits(model: nn.Module, epochs: int, lr: float) -> float:
    """Train ``model`` on the digits with chapter 10's recipe and return its test accuracy."""
    return train_digits(model, epochs, lr)


# ---------------------------------------------------------------------------------------
# What the checks compare the student's modules with (recorded for the visible checks)


def twin(name: str, args=(), kwargs=None) -> nn.Module:
    """The ``nn`` twin of the student's ``name``: ``TWINS[name](*args, **kwargs)``, or DigitsTwin()."""
    return DigitsTwin() if name == "OwnDigitsCNN" else TWINS[name](*args, **(kwargs or {}))


def twin_layout(name: str, args=(), kwargs=None) -> dict:
    """The twin's parameters and buffers, ``{"parameters": {name: [shape, dtype]}, "buffers": ...}``,
    its leaf modules, ``{"modules": {name: class name}}``, and its state_dict's keys, ``{"state": [...]}``."""
    module = twin(name, args, kwargs)
    return {
        "parameters": {n: [list(p.shape), p.dtype] for n, p in module.named_parameters()},
        "buffers": {n: [list(b.shape), b.dtype] for n, b in module.named_buffers()},
        "modules": {n: type(m).__name__ for n, m in module.named_modules() if n and not list(m.children())},
        "state": list(module.state_dict()),
    }


def twin_pass(name: str, args, kwargs, state: dict, xs, G: torch.Tensor, training: bool) -> dict:
    """The twin in float64 with ``state`` loaded, in train or eval mode, run on each input of ``xs``
    in turn: the last output, the gradients of ``sum(output * G)`` with respect to the last input
    and to every parameter, and the state_dict after all the passes."""
    module = twin(name, args, kwargs).double()
    module.load_state_dict(state)
    module.train(training)
    for x in xs:
        module.zero_grad()
        x = x.detach().clone().requires_grad_(True)
        out = module(x)
        (out * G).sum().backward()
    return {
        "output": out.detach(),
        "dX": x.grad,
        "grads": {n: p.grad for n, p in module.named_parameters()},
        "state": {n: v.detach().clone() for n, v in module.state_dict().items()},
    }
