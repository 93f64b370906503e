"""References for chapter 10 (putting it together): chapter 10's ``SimpleCNN``, Xavier
initialisation, the small ``DigitsCNN`` and its training on the 8x8 digits.

The data come from :func:`autograder.chapters.ch10_simple_cnn.data.digits_data`, which the book, the notebook and the
checks share. Training runs on the device of the model's parameters.
"""

import itertools
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

# accuracy (the share of images classified right, in eval mode) is the visible checks' own, shared here.
from autograder.chapters.ch10_simple_cnn.checks import (
    accuracy,
    describe_network,
    one_thread,
    practice_network,
    seeded_weights,
)
from autograder.chapters.ch10_simple_cnn.data import Digits, digits_data, given

INPUT_SHAPE = (3, 32, 32)  # SimpleCNN's input: a 32x32 RGB image (CIFAR-10 sized)
NUM_CLASSES = 10
BATCH_SIZE = 32  # the mini-batch size the exercise asks for


def _conv_block(number: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """conv<number> (3x3, padding 1) - relu<number> - pool<number> (2x2): halves H and W."""
    block = nn.Sequential()
    block.add_module(f"conv{number}", nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1))
    block.add_module(f"relu{number}", nn.ReLU(inplace=True))
    block.add_module(f"pool{number}", nn.MaxPool2d(kernel_size=2, stride=2))
    return block


def _classifier(sizes: list[int], dropout: float | None = None) -> nn.Sequential:
    """fc1 - fc_relu1 - ... - fc<n> through ``sizes``; with ``dropout``, a Dropout after each ReLU."""
    head = nn.Sequential()
    pairs = list(itertools.pairwise(sizes))
    for number, (n_in, n_out) in enumerate(pairs, start=1):
        head.add_module(f"fc{number}", nn.Linear(n_in, n_out))
        if number < len(pairs):
            head.add_module(f"fc_relu{number}", nn.ReLU(inplace=True))
            if dropout is not None:
                head.add_module(f"dropout{number}", nn.Dropout(dropout))
    return head


class SimpleCNN(nn.Module):
    """Chapter 10's network for 3x32x32 images: three conv-ReLU-maxpool blocks with 32, 64
    and 128 channels (32 -> 16 -> 8 -> 4 pixels a side), then 2048 -> 512 -> 64 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        self.layer1 = _conv_block(1, 3, 32)
        self.layer2 = _conv_block(2, 32, 64)
        self.layer3 = _conv_block(3, 64, 128)
        self.layer4 = _classifier([128 * 4 * 4, 512, 64, NUM_CLASSES])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) of a batch of images (N, 3, 32, 32)."""
        features = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(features.reshape(features.shape[0], -1))


def init_weights(model: nn.Module) -> None:
    """Xavier-normal weights and zero biases for every ``nn.Conv2d`` and ``nn.Linear`` of ``model``
    (in place); other modules keep their parameters."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


# ---------------------------------------------------------------------------------------
# The small network for the 8x8 digits

DIGITS_CHANNELS = (16, 32)  # 8x8 -> 4x4 -> 2x2 pixels
DIGITS_HIDDEN = 64
DIGITS_DROPOUT = 0.5
DIGITS_FLAT = DIGITS_CHANNELS[-1] * 2 * 2


def _digits_layers() -> "OrderedDict[str, nn.Sequential]":
    head = nn.Sequential()
    head.add_module("fc1", nn.Linear(DIGITS_FLAT, DIGITS_HIDDEN))
    head.add_module("fc_relu1", nn.ReLU(inplace=True))
    head.add_module("dropout", nn.Dropout(DIGITS_DROPOUT))
    head.add_module("fc2", nn.Linear(DIGITS_HIDDEN, NUM_CLASSES))
    return OrderedDict(
        layer1=_conv_block(1, 1, DIGITS_CHANNELS[0]),
        layer2=_conv_block(2, *DIGITS_CHANNELS),
        layer3=head,
    )


class DigitsCNN(nn.Module):
    """SimpleCNN's style scaled down to 1x8x8 digits: two conv blocks (16 and 32 channels), then
    128 -> 64 -> (dropout) -> 10."""

    layers = staticmethod(_digits_layers)  # the named blocks: layer1, layer2 (convolutions), layer3 (the head)

    def __init__(self) -> None:
        super().__init__()
        for name, block in self.layers().items():
            self.add_module(name, block)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 10) of a batch of digits (N, 1, 8, 8)."""
        features = self.layer2(self.layer1(x))
        return self.layer3(features.reshape(features.shape[0], -1))


def digits_sequential() -> nn.Sequential:
    """DigitsCNN as one ``nn.Sequential`` (with an ``nn.Flatten`` named ``flatten``): the same
    parameter names, and a forward pass that is PyTorch's own code."""
    layers = _digits_layers()
    layers["flatten"] = nn.Flatten()
    layers.move_to_end("layer3")
    return nn.Sequential(layers)


# ---------------------------------------------------------------------------------------
# The networks as data, for the visible checks (recorded: see autograder.runtime.recorded)

NETWORKS = {"SimpleCNN": SimpleCNN, "DigitsCNN": DigitsCNN}


def network_structure(name: str) -> dict:
    """The network ``name`` (``SimpleCNN`` or ``DigitsCNN``) as plain data: its children, its
    sub-modules with their settings and its parameters' shapes (``checks.describe_network``)."""
    with torch.random.fork_rng(devices=[]):  # builds a network, disturbing no random numbers
        return describe_network(NETWORKS[name]())


def seeded_network(name: str, seed: int, on: torch.device, dtype: torch.dtype) -> nn.Module:
    """The network ``name`` on ``on`` and ``dtype``, in eval mode, holding ``checks.seeded_weights``
    of ``seed`` (the weights the checks load into the student's network)."""
    with torch.random.fork_rng(devices=[]):
        network = NETWORKS[name]().to(on, dtype)
    network.load_state_dict(seeded_weights(describe_network(network)["parameters"], seed, on, dtype))
    return network.eval()


@torch.no_grad()
def seeded_output(name: str, seed: int, x: torch.Tensor) -> torch.Tensor:
    """The output of :func:`seeded_network` on ``x`` (on its device and dtype)."""
    return seeded_network(name, seed, x.device, x.dtype)(x)


# ---------------------------------------------------------------------------------------
# Training


def train(
    model: nn.Module,
    epochs: int,
    lr: float,
    batch_size: int = BATCH_SIZE,
    data=None,
    progress=None,
    record: bool = True,
) -> list[dict]:
    """Train ``model`` on the digits' training set with Adam and cross-entropy.

    Each epoch is one pass over a fresh random order of the training set in mini-batches.
    Returns one record per epoch (with ``record``): mean training loss, training and test
    accuracy. ``progress`` wraps the range of epochs (e.g. ``tqdm``) and is told the latest
    numbers.
    """
    parameter = next(model.parameters())
    X_train, y_train, X_test, y_test = digits_data(parameter.device) if data is None else data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    epochs_range = range(epochs) if progress is None else progress(range(epochs))
    history = []
    for _ in epochs_range:
        model.train()
        order = torch.randperm(len(X_train), device=X_train.device)
        total = 0.0
        for start in range(0, len(X_train), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(batch)
        if not record:
            continue
        numbers = {
            "loss": total.item() / len(X_train),
            "train_accuracy": accuracy(model, X_train, y_train),
            "test_accuracy": accuracy(model, X_test, y_test),
        }
        history.append(numbers)
        if progress is not None:
            epochs_range.set_postfix(
                loss=f"{numbers['loss']:.3f}", test=f"{numbers['test_accuracy']:.3f}", refresh=False
            )
    return history


def train_digits(model: nn.Module, epochs: int, lr: float) -> float:
    """Train ``model`` on the digits (:func:`train`) and return its accuracy on the test set."""
    parameter = next(model.parameters())
    X_train, y_train, X_test, y_test = digits_data(parameter.device)
    train(model, epochs, lr, data=(X_train, y_train, X_test, y_test), record=False)
    return accuracy(model, X_test, y_test)


# ---------------------------------------------------------------------------------------
# The visible check's short run (recorded: see autograder.runtime.recorded)

PRACTICE_SIZES = (80, 60)  # training and test images: two full mini-batches and a smaller one


def practice_digits() -> Digits:
    """The visible check's small split, on the CPU: the first 80 training and 60 test images of
    :func:`digits_data` (which is shuffled, so every digit is there)."""
    X_train, y_train, X_test, y_test = digits_data("cpu")
    n_train, n_test = PRACTICE_SIZES
    return Digits(X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test])


def practice_run(epochs: int, lr: float, seed: int) -> dict[str, torch.Tensor]:
    """The weights of ``checks.practice_network()`` after :func:`train_digits` trained it on the CPU,
    on :func:`practice_digits`, from ``torch.manual_seed(seed)``: what the visible check's run must end with."""
    with torch.random.fork_rng(devices=[]), given(practice_digits()), one_thread():
        torch.manual_seed(seed)
        network = practice_network()
        train_digits(network, epochs, lr)
    return {name: p.detach() for name, p in network.named_parameters()}


# ---------------------------------------------------------------------------------------
# Dropout


def dropout(x: torch.Tensor, p: float = 0.5, training: bool = True) -> torch.Tensor:
    """Inverted dropout, PyTorch's own: in training each element of ``x`` is zeroed with probability
    ``p`` and the others are multiplied by 1 / (1 - p) (all zeros for p = 1); in eval mode ``x`` itself."""
    return F.dropout(x, p, training)
