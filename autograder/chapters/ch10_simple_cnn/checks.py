"""Visible checks of chapter 10 (putting it together): ``SimpleCNN``, ``init_weights``, ``DigitsCNN`` and
``train_digits``.

The values they compare with come from the chapter's recording (``expected``), the known
mistakes' explanations too (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).

The two networks are checked as modules against the exercise's network described as data
(``expected.network_structure(name)``): their children, every sub-module (name, type and
settings, in order), every parameter (name and shape), the parameter count; then the forward
pass, with fixed random weights drawn from a seed (:func:`seeded_weights`, from the parameter
names and shapes alone) loaded into the student's network, so that only the wiring is compared
with the exercise's network under the same weights (``expected.seeded_output(name, seed, x)``),
in float64, which the network must keep, on a batch of two images (see :func:`assert_network`).

``init_weights`` is checked statistically on a small network of the check's own (not one of the
exercises'), with a convolution and a linear layer without bias: after it, every weight of an
``nn.Conv2d`` or ``nn.Linear`` must look like a sample of N(0, 2 / (fan_in + fan_out)) (its mean,
its standard deviation, and the share of values beyond the bound of a uniform with that variance,
which tells Xavier-normal from Xavier-uniform), every bias must be exactly 0, and other modules'
parameters must be left alone. The tolerances are at least 6 standard errors of each statistic
wide, so that a correct answer fails less than once in a million gradings (see
``tests/chapters/test_ch10_simple_cnn.py``). Then it must keep the parameters' device (with
PyTorch's default device set to a stand-in) and dtype (on a float64 copy).

``train_digits`` is checked by watching it train a small network of the check's own (not
DigitsCNN) on a small part of the digits, handed to the answer's ``digits_data()`` call, for two
epochs on the CPU: how many training images it saw, and the training recipe the exercise states:
no softmax before ``CrossEntropyLoss``, no gradient left over from one optimizer step to the next
(``zero_grad``), ``torch.optim.Adam`` at the given lr, mini-batches of 32 with a step each, eval
mode for the test; whether the accuracy it returned is the trained network's accuracy on the test
images, which the check measures itself, in eval mode; and whether the weights it ends with are
those of the course's run from the same seed (recorded), which a change of the recipe that the
watch does not see (an unshuffled order, another loss) moves. A failed check names the known
mistake the answer behaves like. The hidden check runs the same watch on the exercise's network
and all the digits.
"""

import contextlib
import copy
import math
import numbers
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

from autograder.chapters.ch10_simple_cnn.data import Digits, given
from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.guard import watched_calls
from autograder.runtime.properties import STAND_IN
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

INPUT_SHAPE = (3, 32, 32)  # SimpleCNN's input: a 32x32 RGB image (CIFAR-10 sized)
DIGITS_SHAPE = (1, 8, 8)  # DigitsCNN's input: one 8x8 digit
NUM_CLASSES = 10
BATCH_SIZE = 32  # the mini-batch size the exercise asks for
VISIBLE_SEED = 0  # the seed of the random weights the visible checks load into a network

# ---------------------------------------------------------------------------------------
# Networks as data


def settings(module: nn.Module) -> str:
    """A module's type and settings as PyTorch prints them, without ``inplace`` (which does not
    change what the module computes)."""
    extra = ", ".join(part for part in module.extra_repr().split(", ") if not part.startswith("inplace="))
    return f"{type(module).__name__}({extra})"


def describe_network(network: nn.Module) -> dict:
    """A network as plain data: the names of its children, its sub-modules below them as
    ``(path, settings)`` and its parameters as ``(name, shape)``, in order."""
    return {
        "children": [name for name, _ in network.named_children()],
        "modules": [(path, settings(module)) for path, module in network.named_modules() if path and "." in path],
        "parameters": [(path, tuple(p.shape)) for path, p in network.named_parameters()],
    }


def seeded_weights(
    parameters: list[tuple[str, tuple]], seed: int, on: torch.device, dtype: torch.dtype
) -> dict[str, torch.Tensor]:
    """Random values for the parameters ``[(name, shape), ...]``, drawn from ``seed`` on the CPU
    (the same on every machine): each weight, and the bias after it, uniform in
    ±1/sqrt(fan_in), as PyTorch's layers start."""
    generator = torch.Generator().manual_seed(seed)
    bounds: dict[str, float] = {}
    weights = {}
    for name, shape in parameters:
        owner = name.rpartition(".")[0]
        if len(shape) > 1:
            bounds[owner] = 1.0 / math.sqrt(math.prod(shape[1:]))
        bound = bounds.get(owner, 0.1)
        values = torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1
        weights[name] = (values * bound).to(on, dtype)
    return weights


# ---------------------------------------------------------------------------------------
# Networks: structure, then forward pass


def new_network(cls, name: str) -> nn.Module:
    """``cls()``, which must be an ``nn.Module``."""
    network, _ = call(cls, what=f"{name}()")
    if not isinstance(network, nn.Module):
        raise CheckFailure(
            f"{name}() gave {describe(network)}, not an nn.Module. Define {name} as a class that "
            f"subclasses nn.Module (class {name}(nn.Module): ...) and calls super().__init__() first "
            "thing in __init__."
        )
    return network


def _assert_children(network: nn.Module, structure: dict, name: str) -> None:
    got = [child for child, _ in network.named_children()]
    wanted = structure["children"]
    if got != wanted:
        raise CheckFailure(
            f"{name}().named_children() should give the blocks {', '.join(wanted)}, in this order; "
            f"it gives: {', '.join(got) or 'nothing'}. Assign each nn.Sequential block to an attribute "
            f"of that name in __init__ (self.layer1 = ...), in the order of the network."
        )
    for child, module in network.named_children():
        if not isinstance(module, nn.Sequential):
            raise CheckFailure(f"{name}().{child} should be an nn.Sequential, got {type(module).__name__}.")


def _assert_modules(network: nn.Module, structure: dict, name: str) -> None:
    """The same sub-modules (names, types, settings) in the same order as the exercise's network."""
    got = [(path, settings(module)) for path, module in network.named_modules() if path and "." in path]
    wanted = [tuple(entry) for entry in structure["modules"]]
    got_names, wanted_names = [p for p, _ in got], [p for p, _ in wanted]
    if got_names != wanted_names:
        first = next(
            (i for i, (g, e) in enumerate(zip(got_names, wanted_names)) if g != e),
            min(len(got_names), len(wanted_names)),
        )
        where = (
            f"the first difference is at position {first + 1}: expected "
            f"{wanted_names[first] if first < len(wanted_names) else 'nothing more'}, got "
            f"{got_names[first] if first < len(got_names) else 'nothing more'}"
        )
        raise CheckFailure(
            f"{name}().named_modules() does not list the layers of the exercise: {where}. Add each layer "
            "with add_module(name, layer), with the names and in the order of the exercise.\n"
            f"Expected, after the blocks: {', '.join(wanted_names)}.\nGot: {', '.join(got_names) or 'nothing'}."
        )
    for (path, got_settings), (_, want) in zip(got, wanted):
        if got_settings != want:
            raise CheckFailure(f"{name}().{path} is {got_settings}; expected {want}.")


def _assert_parameters(network: nn.Module, structure: dict, name: str) -> None:
    got = {p: tuple(t.shape) for p, t in network.named_parameters()}
    wanted = {p: tuple(shape) for p, shape in structure["parameters"]}
    if list(got) != list(wanted):
        raise CheckFailure(
            f"{name}().named_parameters() should give {', '.join(wanted)}; it gives {', '.join(got) or 'nothing'}."
        )
    for path, shape in wanted.items():
        if got[path] != shape:
            raise CheckFailure(f"{name}().{path} has shape {shape_text(got[path])}; expected {shape_text(shape)}.")
    count = sum(p.numel() for p in network.parameters())
    want = sum(math.prod(shape) for shape in wanted.values())
    if count != want:
        raise CheckFailure(f"{name}() has {count:,} parameters; expected {want:,}.")
    frozen = [p for p, t in network.named_parameters() if not t.requires_grad]
    if frozen:
        raise CheckFailure(
            f"{name}(): {', '.join(frozen)} do not require gradients, so training could not change them."
        )


def assert_structure(cls, name: str, structure: dict) -> None:
    """A new ``cls()`` has the children, sub-modules and parameters of ``structure``
    (:func:`describe_network` of the exercise's network)."""
    network = new_network(cls, name)
    _assert_children(network, structure, name)
    _assert_modules(network, structure, name)
    _assert_parameters(network, structure, name)


def _probabilities_advice(got) -> str:
    """A hint when every output row is non-negative and sums to 1: a softmax at the end."""
    if not isinstance(got, torch.Tensor) or got.dim() != 2 or not got.is_floating_point():
        return ""
    rows = got.detach().to(torch.float64)
    if bool((rows >= 0).all()) and bool(((rows.sum(dim=1) - 1).abs() < 1e-4).all()):
        return (
            "\nEvery row of the output is non-negative and sums to 1: the network ends in a softmax. "
            "It must return the raw scores (logits); nn.CrossEntropyLoss applies log-softmax itself."
        )
    return ""


def loaded(cls, name: str, structure: dict, seed: int, dtype: torch.dtype) -> nn.Module:
    """A new student network on the course device and ``dtype``, holding the weights of
    :func:`seeded_weights` for ``seed``."""
    network = new_network(cls, name)
    network, _ = call(network.to, device(), dtype, what=f"{name}().to({device()}, {dtype})")
    try:
        network.load_state_dict(seeded_weights(structure["parameters"], seed, device(), dtype))
    except RuntimeError as error:
        raise CheckFailure(
            f"{name}().load_state_dict(...) with weights of the exercise's parameter names and shapes failed: {error}"
        ) from None
    return network


def applied(x: torch.Tensor) -> str:
    """The words for a network's input ``x``, a batch of images."""
    return f"applied to a batch of {x.shape[0]} images, x of shape {shape_text(x.shape)} ({x.dtype})"


KEEP_DTYPE = (
    "A network must keep the input's dtype: converted to float64 (.double()), its layers compute in float64, "
    "and so must its forward, without converting x on the way (x.float(), torch.tensor(...))."
)


def forward(network: nn.Module, x: torch.Tensor, what: str):
    """``network(x)``, which must keep ``x``'s dtype. The checks run a network in float32 first
    (:func:`assert_output_shape`): what fails only in float64 fails to keep the input's dtype."""
    try:
        got, _ = call(network, x, what=what)
    except CheckFailure as failure:
        if x.dtype == torch.float32:
            raise
        raise CheckFailure(f"{failure}\n{KEEP_DTYPE}") from None
    if isinstance(got, torch.Tensor) and got.is_floating_point() and got.dtype != x.dtype:
        raise CheckFailure(f"{what} returned a {got.dtype} tensor: it does not keep the input's dtype. {KEEP_DTYPE}")
    return got


def assert_forward(cls, name: str, x: torch.Tensor, seed: int, structure: dict, wanted: torch.Tensor) -> None:
    """The student's network, holding the weights drawn from ``seed``, gives ``wanted`` (the
    exercise's network's output with the same weights) on ``x``, in eval mode."""
    network = loaded(cls, name, structure, seed, x.dtype)
    network.eval()
    what = f"{name}() (with the check's random weights loaded, in eval mode) {applied(x)}"
    got = forward(network, x, what)
    try:
        assert_matches(got, wanted, what)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure}{_probabilities_advice(got)}") from None


def example_input(shape, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A batch with a known pattern: value (n + c + i + j) mod 5, minus 2, over 2."""
    grids = torch.meshgrid(*(torch.arange(s, device=device()) for s in shape), indexing="ij")
    return ((sum(grids) % 5 - 2) / 2).to(dtype)


def assert_output_shape(cls, name: str, x: torch.Tensor) -> None:
    """A new ``cls()`` gives one row of scores per image of ``x``."""
    network = new_network(cls, name).to(x.device, x.dtype)
    what = f"{name}() {applied(x)}"
    got, _ = call(network, x, what=what)
    wanted = (x.shape[0], NUM_CLASSES)
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != wanted:
        shown = shape_text(got.shape) if isinstance(got, torch.Tensor) else describe(got)
        raise CheckFailure(
            f"{what} should give one row of {NUM_CLASSES} scores per image, shape {shape_text(wanted)}; "
            f"got {shown}. Flatten each image's feature maps on its own (keep the batch dimension)."
        )


def assert_network(cls, name: str, input_shape: tuple[int, ...]) -> None:
    """Structure, output shape (float32) and forward pass of ``cls`` on a batch of two images of
    ``input_shape``, compared with the exercise's network (recorded). The forward pass runs in
    float64, which the network must keep: the recording was computed on the CPU, and on a GPU
    float32 convolutions may run in TF32, whose rounding (about 1e-3) no float32 tolerance allows."""
    structure = expected.network_structure(name)
    assert_structure(cls, name, structure)
    assert_output_shape(cls, name, example_input((2, *input_shape)))
    x = example_input((2, *input_shape), torch.float64)
    assert_forward(cls, name, x, VISIBLE_SEED, structure, expected.seeded_output(name, VISIBLE_SEED, x))


@diagnosed
def check_SimpleCNN(SimpleCNN) -> None:
    """Visible checks of ``SimpleCNN``: blocks, layers, parameters (1,175,818 of them), the output
    shape (N, 10) and the forward pass on a batch of two 3x32x32 images."""
    assert_network(SimpleCNN, "SimpleCNN", INPUT_SHAPE)


@diagnosed
def check_DigitsCNN(DigitsCNN) -> None:
    """Visible checks of ``DigitsCNN``: blocks, layers, parameters, the output shape and the forward
    pass (in eval mode) on two 1x8x8 images."""
    assert_network(DigitsCNN, "DigitsCNN", DIGITS_SHAPE)


# ---------------------------------------------------------------------------------------
# init_weights

STD_TOLERANCE_SE = 7.0  # how many standard errors of the sample std a correct answer may be off
MEAN_TOLERANCE_SE = 7.0
TAIL = math.sqrt(3.0)  # a uniform with variance s^2 lies in [-sqrt(3) s, sqrt(3) s]
TAIL_SHARE = math.erfc(TAIL / math.sqrt(2.0))  # share of a normal beyond it: 0.0833
MIN_TAIL_SHARE = 0.03  # at least 600 values per weight: 7 standard errors below 0.0833


def xavier_std(weight: torch.Tensor) -> float:
    """The standard deviation of ``nn.init.xavier_normal_`` (gain 1): sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(weight)
    return math.sqrt(2.0 / (fan_in + fan_out))


def weight_problem(weight: torch.Tensor) -> str | None:
    """Why ``weight`` does not look like a Xavier-normal sample, or None when it does."""
    w = weight.detach().to("cpu", torch.float64).reshape(-1)
    n, wanted = w.numel(), xavier_std(weight)
    std, mean = float(w.std()), float(w.mean())
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(weight)
    formula = f"sqrt(2 / (fan_in + fan_out)) = sqrt(2 / ({fan_in} + {fan_out})) = {wanted:.4f}"
    if std == 0:
        return f"all its {n} values are {mean:g}; they should be random, with standard deviation {formula}"
    if abs(std / wanted - 1) > STD_TOLERANCE_SE / math.sqrt(2 * n):
        return f"its values have standard deviation {std:.4f}; Xavier-normal gives {formula}"
    if abs(mean) > MEAN_TOLERANCE_SE * wanted / math.sqrt(n):
        return f"its values have mean {mean:.4f}; Xavier-normal values have mean 0"
    share = float((w.abs() > TAIL * wanted).double().mean())
    if share < MIN_TAIL_SHARE:
        return (
            f"only {share:.1%} of its values lie beyond ±{TAIL * wanted:.4f} (sqrt(3) standard deviations), "
            f"where a normal distribution puts {TAIL_SHARE:.1%}: they look uniform (xavier_uniform_?), not normal"
        )
    return None


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """Copies of the values of ``model``'s parameters, by name."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def assert_initialised(init_weights, model: nn.Module, what: str) -> None:
    """Run ``init_weights(model)`` and check every parameter of ``model`` afterwards."""
    before = snapshot(model)
    shapes = {name: p.shape for name, p in model.named_parameters()}
    call(init_weights, model, what=what)
    after = dict(model.named_parameters())
    if {name: p.shape for name, p in after.items()} != shapes:
        raise CheckFailure(
            f"{what} changed which parameters the model has, or their shapes; it should only set their values."
        )
    for path, module in model.named_modules():
        for kind in ("weight", "bias"):
            name = f"{path}.{kind}" if path else kind
            if name not in after:
                continue
            value = after[name]
            if isinstance(module, (nn.Conv2d, nn.Linear)) and kind == "weight":
                problem = weight_problem(value)
                if problem:
                    raise CheckFailure(
                        f"After {what}, {name} (of {settings(module)}) does not look Xavier-normal: {problem}."
                    )
            elif isinstance(module, (nn.Conv2d, nn.Linear)):
                if torch.count_nonzero(value):
                    flat = value.detach().reshape(-1)
                    raise CheckFailure(
                        f"After {what}, {name} (of {settings(module)}) holds non-zero values "
                        f"(e.g. {flat[torch.nonzero(flat)[0]].item():.4g}): "
                        "every bias of a convolution or linear layer must be set to 0."
                    )
            elif not torch.equal(value.detach(), before[name]):
                raise CheckFailure(
                    f"{what} changed {name}, a parameter of {settings(module)}. Only the nn.Conv2d and "
                    "nn.Linear layers are to be initialised; leave the other modules' parameters as they are."
                )


INIT_ADVICE = (
    "A tensor created without dtype=... or device=... is float32 and on PyTorch's default device (the CPU "
    "even for a model on a GPU), whatever the model: fill the parameters in place (nn.init's functions do), "
    "or create new values with the parameter's dtype and device."
)


def _run_init(init_weights, model: nn.Module, what: str, changed: str) -> None:
    """``init_weights(model)``, which already ran on a model like this one before the check
    ``changed`` something: a failure now is a failure to keep what ``what`` says."""
    try:
        call(init_weights, model, what="init_weights(model)")
    except CheckFailure as failure:
        raise CheckFailure(
            f"{what}: it ran on the model as it was, but failed {changed}.\n{failure}\n{INIT_ADVICE}"
        ) from None


def assert_init_keeps_dtype_and_device(init_weights, model: nn.Module) -> None:
    """``init_weights``, which ran on ``model`` already, leaves every parameter of a copy on its
    device with PyTorch's default device set to a stand-in (as the default is the CPU for a model
    on a GPU), and every parameter of a float64 copy in float64."""
    what = "init_weights(model) does not keep the input's device"
    on_stand_in = copy.deepcopy(model)
    home = next(on_stand_in.parameters()).device
    with torch.device(STAND_IN):
        _run_init(init_weights, on_stand_in, what, f"with the default device set to {STAND_IN!r}")
    if moved := [(name, p.device) for name, p in on_stand_in.named_parameters() if p.device != home]:
        raise CheckFailure(
            f"{what}: with the default device set to {STAND_IN!r} for this check, it left {moved[0][0]} on "
            f"{moved[0][1]}, while the model lives on {home}.\n{INIT_ADVICE}"
        )
    what = "init_weights(model) does not keep the input's dtype"
    doubled = copy.deepcopy(model).double()
    _run_init(init_weights, doubled, what, "on a float64 copy (model.double())")
    if changed := [(name, p.dtype) for name, p in doubled.named_parameters() if p.dtype != torch.float64]:
        raise CheckFailure(
            f"{what}: on a float64 copy (model.double()), it left {changed[0][0]} as a {changed[0][1]} tensor."
            f"\n{INIT_ADVICE}"
        )


def init_network() -> nn.Module:
    """The visible check's network for ``init_weights`` (none of the exercises'): nested blocks,
    a batch norm to leave alone (its scale and shift not at their defaults), a convolution
    with a (3, 2) kernel and a linear layer without bias; every weight has at least 600 values."""
    network = nn.Sequential(
        OrderedDict(
            features=nn.Sequential(
                OrderedDict(
                    conv1=nn.Conv2d(3, 24, 3, padding=1),
                    norm=nn.BatchNorm2d(24),
                    relu1=nn.ReLU(),
                    conv2=nn.Conv2d(24, 40, (3, 2), bias=False),
                    relu2=nn.ReLU(),
                    pool=nn.AdaptiveAvgPool2d(2),
                )
            ),
            flatten=nn.Flatten(),
            head=nn.Sequential(OrderedDict(fc1=nn.Linear(160, 48), relu=nn.ReLU(), fc2=nn.Linear(48, 20, bias=False))),
        )
    )
    with torch.no_grad():  # a batch norm that init_weights must not touch
        network.features.norm.weight.uniform_(0.5, 1.5)
        network.features.norm.bias.uniform_(-0.5, 0.5)
    return network.to(device())


@diagnosed.by_failure
def check_init_weights(init_weights) -> None:
    """Visible checks of ``init_weights`` on a small network: every weight of a convolution or a
    linear layer Xavier-normal, every bias 0, a batch norm left alone, layers without bias; then
    every parameter kept in its dtype (on a float64 copy) and on its device."""
    torch.manual_seed(0)
    # init_weights changes the model in place: the diagnosis compares failure messages only.
    model = init_network()
    assert_initialised(init_weights, copy.deepcopy(model), "init_weights(model)")
    assert_init_keeps_dtype_and_device(init_weights, model)


# ---------------------------------------------------------------------------------------
# train_digits

# The visible check's run: short, on the CPU (where a run from a seed is the same on every
# machine), on a small part of the digits (``expected.practice_digits()``, handed to the
# answer's digits_data() call), compared with the course's run of the same (``expected.practice_run``).
PRACTICE = {"epochs": 2, "lr": 0.01, "seed": 0}
SAME_ACCURACY = 1.5  # test images: the returned accuracy may differ from the check's by one image
# How far a weight after the visible run may be from the course's run. Rounding differs a little
# from one CPU to the next, and Adam turns a gradient as small as a rounding error into a step of
# at most a tenth of lr; any change of the recipe moves many weights by about lr per step.
SAME_WEIGHTS = 5e-3
RECIPE = (
    "The recipe: torch.optim.Adam at the given lr; nn.CrossEntropyLoss on the raw scores; for each epoch "
    f"a new order from torch.randperm, taken in mini-batches of {BATCH_SIZE} (the last one smaller), each "
    "with zero_grad, the loss, backward and step; then eval mode for the test images."
)


def practice_network() -> nn.Sequential:
    """The network the visible check trains (not DigitsCNN): one convolution of 8 channels and a
    pooling (8x8 -> 4x4), then 128 -> 24 -> dropout -> 10."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 24),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(24, NUM_CLASSES),
    )


@torch.no_grad()
def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """The share of ``X`` that ``model`` (switched to eval mode) classifies as ``y``."""
    model.eval()
    return (model(X).argmax(dim=1) == y).double().mean().item()


def batch_sizes(n_train: int, epochs: int) -> list[int]:
    """The recipe's mini-batch sizes, in order, for ``epochs`` passes over ``n_train`` images."""
    full, rest = divmod(n_train, BATCH_SIZE)
    return ([BATCH_SIZE] * full + ([rest] if rest else [])) * epochs


class Watch:
    """Hooks on a network (and on every optimizer) that observe a training run."""

    def __init__(self, network: nn.Module) -> None:
        self.network = network
        self.train_batches: list[int] = []  # sizes of the batches seen in train mode with gradients on
        self.eval_batches: list[int] = []  # sizes of the batches seen in eval mode
        self.optimizers: dict[int, torch.optim.Optimizer] = {}  # every optimizer that stepped, by id
        self.steps = 0
        self.steps_since_backward = 0
        self.leaked = False  # a gradient from before an optimizer step was still there at the next backward
        self.first = next(network.parameters())

    def _before_forward(self, module, inputs) -> None:
        size = inputs[0].shape[0] if inputs and isinstance(inputs[0], torch.Tensor) and inputs[0].dim() else 0
        if not module.training:
            self.eval_batches.append(size)
        elif torch.is_grad_enabled():
            self.train_batches.append(size)

    def _fresh_gradient(self, grad: torch.Tensor) -> None:
        stale = self.first.grad
        if self.steps_since_backward and stale is not None and bool(stale.detach().abs().max() > 0):
            self.leaked = True
        self.steps_since_backward = 0

    def _after_step(self, optimizer, args, kwargs) -> None:
        self.steps += 1
        self.steps_since_backward += 1
        self.optimizers[id(optimizer)] = optimizer

    @contextlib.contextmanager
    def watching(self) -> Iterator["Watch"]:
        handles = [
            self.network.register_forward_pre_hook(self._before_forward),
            self.first.register_hook(self._fresh_gradient),
            register_optimizer_step_post_hook(self._after_step),
        ]
        try:
            yield self
        finally:
            for handle in handles:
                handle.remove()


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Train on one CPU thread: the digits network is small, and on a 2-core machine shared with
    other work, two threads make each step several times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _as_accuracy(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CheckFailure(
            f"{what} returned {describe(value)}; it should return the test accuracy as a number "
            "between 0 and 1 (a Python float)."
        )
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise CheckFailure(
            f"{what} returned {value:g}; the accuracy is the share of test images classified correctly, "
            "a number between 0 and 1 (not a percentage, not a count)."
        )
    return value


@dataclass
class Run:
    """A watched training run: what it was (``what``, in words), the trained network, its weights
    before, what ``train_digits`` returned and the operations it ran."""

    what: str
    network: nn.Module
    before: dict[str, torch.Tensor]
    returned: float
    watch: Watch
    ops: list[str]
    name: str = "train_digits"  # the exercise's function (chapter 12's train_own_digits runs the same checks)


def _train(
    train_digits,
    build: Callable[[], nn.Module],
    data: Digits,
    epochs: int,
    lr: float,
    seed: int,
    name: str = "train_digits",
) -> Run:
    """Train a fresh network ``build()``, on the device of ``data``, with the student's ``train_digits``
    after ``torch.manual_seed(seed)``, its digits_data() giving ``data``; ``name``: the function's
    name in the messages."""
    torch.manual_seed(seed)
    network = build().to(data.X_train.device)
    before = snapshot(network)
    what = (
        f"{name}(model, epochs={epochs}, lr={lr:g}) after torch.manual_seed({seed}) (digits_data() "
        f"giving {len(data.X_train)} training and {len(data.X_test)} test images)"
    )
    watch = Watch(network)
    with one_thread(), given(data), watch.watching():
        # A training run changes the network: the diagnosis compares failure messages only.
        value, ops = call(train_digits, network, epochs, lr, what=what)
    return Run(what, network, before, _as_accuracy(value, what), watch, ops, name)


def _assert_losses(run: Run) -> None:
    """The recipe's loss: cross-entropy on the logits, gradients cleared for every mini-batch."""
    if "_softmax_backward_data" in run.ops:
        raise CheckFailure(
            f"{run.what} back-propagated through a softmax: the loss was computed on softmax(...) of the "
            "network's output. The recipe computes nn.CrossEntropyLoss on the raw scores (logits), and it applies "
            "log-softmax itself; a softmax in front of it squashes the scores and slows learning down."
        )
    if run.watch.leaked:
        raise CheckFailure(
            f"{run.what}: the gradients of one mini-batch were still in .grad when the next backward() added "
            "to them, after an optimizer step. The recipe clears them for every mini-batch: backward() "
            "accumulates, so call optimizer.zero_grad() before each backward (or after each step)."
        )


def _assert_optimizer(run: Run, lr: float) -> None:
    """The recipe's optimizer: torch.optim.Adam at the learning rate ``lr``."""
    optimizers = list(run.watch.optimizers.values())
    if not optimizers:
        raise CheckFailure(f"{run.what} never called step() on a torch.optim optimizer. {RECIPE}")
    others = sorted({type(o).__name__ for o in optimizers if not isinstance(o, torch.optim.Adam)})
    if others:
        raise CheckFailure(
            f"{run.what} trained with torch.optim.{others[0]}: the recipe's optimizer is torch.optim.Adam, "
            "at the given lr (which adapts the step of every weight to its gradients; plain gradient descent "
            "at such a learning rate learns far more slowly)."
        )
    rates = sorted({group["lr"] for o in optimizers for group in o.param_groups})
    if rates != [lr]:
        raise CheckFailure(
            f"{run.what} ran Adam at a learning rate of {', '.join(f'{r:g}' for r in rates)}; the recipe runs it "
            f"at the lr argument, {lr:g}."
        )


def _assert_batches(run: Run, n_train: int, epochs: int) -> None:
    """The recipe's epochs: each a pass over the training images, in mini-batches, a step each."""
    seen, wanted = run.watch.train_batches, batch_sizes(n_train, epochs)
    if sum(seen) != sum(wanted):
        raise CheckFailure(
            f"{run.what} ran the network on {sum(seen)} training images in train mode; {epochs} epoch(s) over "
            f"the {n_train} training images are {sum(wanted)}. Call digits_data() inside {run.name} (the checks "
            "hand it their own split), go through all the training images it gives (len(X_train) of them) once "
            "per epoch, for the epochs argument."
        )
    if seen != wanted:
        shown = ", ".join(map(str, seen[:6])) + (", ..." if len(seen) > 6 else "")
        raise CheckFailure(
            f"{run.what} trained on mini-batches of {shown} images; the recipe takes each epoch's "
            f"{n_train} training images in mini-batches of {BATCH_SIZE} (the last one smaller: "
            f"{', '.join(map(str, batch_sizes(n_train, 1)))}), one optimizer step each."
        )
    if run.watch.steps != len(wanted):
        raise CheckFailure(
            f"{run.what} took {run.watch.steps} optimizer steps for {len(wanted)} mini-batches; the recipe takes "
            "one step per mini-batch, after its backward()."
        )


def _assert_moved(run: Run, lr: float) -> None:
    """With lr 0 no weight moves; with another lr, some do."""
    network, before = run.network, run.before
    changed = [name for name, p in network.named_parameters() if not torch.equal(p.detach(), before[name])]
    if lr == 0 and changed:
        raise CheckFailure(
            f"{run.what} changed {', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''}, although with a "
            "learning rate of 0 no step should move any weight. Give the optimizer the lr argument."
        )
    if lr != 0 and not changed:
        raise CheckFailure(f"{run.what} left every weight as it was: it did not train the model it was given.")


def _assert_tested(run: Run, data: Digits) -> float:
    """The recipe's test: in eval mode, on the test images; return the accuracy the check measured."""
    if not run.watch.eval_batches:
        raise CheckFailure(
            f"{run.what} never ran the model in eval mode. The recipe tests in eval mode: call model.eval() before "
            "measuring the test accuracy. In train mode dropout drops units at random and batch norm normalizes "
            "with the test batch's own statistics, so the accuracy comes out lower than the trained model's, and "
            "different on every run."
        )
    n_train, n_test = len(data.X_train), len(data.X_test)
    measured = accuracy(run.network, data.X_test, data.y_test)
    if abs(run.returned - measured) * n_test > SAME_ACCURACY:
        advice = (
            " The model was run in eval mode on the training set size only: did you measure the accuracy on the "
            "training set?"
            if n_train in run.watch.eval_batches and n_test not in run.watch.eval_batches
            else " Measure it on X_test, y_test from digits_data(), in eval mode, after the last epoch."
        )
        raise CheckFailure(
            f"{run.what} returned an accuracy of {run.returned:.4f}, but the model it trained classifies "
            f"{measured:.4f} of the {n_test} test images correctly (in eval mode).{advice}"
        )
    return measured


def assert_trained(
    train_digits,
    build: Callable[[], nn.Module],
    data: Digits,
    epochs: int,
    lr: float,
    seed: int,
    name: str = "train_digits",
) -> tuple[Run, float]:
    """Watch ``train_digits`` train a fresh ``build()`` network on ``data`` and check that it follows the
    recipe; return the run and the test accuracy the check measured on the trained network (``name``:
    the function's name in the messages)."""
    run = _train(train_digits, build, data, epochs, lr, seed, name)
    _assert_losses(run)
    _assert_optimizer(run, lr)
    _assert_batches(run, len(data.X_train), epochs)
    _assert_moved(run, lr)
    return run, _assert_tested(run, data)


def assert_same_weights(run: Run, wanted: dict[str, torch.Tensor]) -> None:
    """The run ended with the weights of the course's run from the same seed and images."""
    for name, p in run.network.named_parameters():
        gap = float((p.detach().cpu() - wanted[name].cpu()).abs().max())
        if gap > SAME_WEIGHTS:
            raise CheckFailure(
                f"{run.what} trained the network to other weights than the recipe gives from the same seed and "
                f"images: {name} differs from the course's run by up to {gap:.3g}. {RECIPE}"
            )


@diagnosed.by_failure
def check_train_digits(train_digits) -> None:
    """Visible check of ``train_digits``: a short watched run (two epochs over 80 images, on the CPU) on a
    fresh small network: the training images seen, the recipe (Adam at lr, mini-batches of 32, zero_grad,
    no softmax before the loss, eval mode for the test), the returned accuracy, and the weights the
    run ends with, against the course's run from the same seed."""
    data = Digits(*(tensor.cpu() for tensor in expected.practice_digits()))
    run, _ = assert_trained(train_digits, practice_network, data, **PRACTICE)
    assert_same_weights(run, expected.practice_run(**PRACTICE))


# ---------------------------------------------------------------------------------------
# dropout
#
# dropout is random: its values are compared with the distribution of inverted dropout, not
# with the reference's draws (a correct answer may draw its mask in many ways). Every kept
# element must be x / (1 - p) exactly (within float tolerance), the share of zeros must lie within
# ZEROS_SE standard deviations of p (a correct answer fails less than once in 10^8 gradings), and
# the mean within as many standard deviations of x's. The messages round what they measure
# (percentages), so that a known mistake fails them with the same words whatever its draws.

ZEROS_SE = 6.0
DROPOUT_P = 0.3  # not 0.5, where keeping with probability p instead of 1 - p goes unseen
DROPOUT_SHAPE = (32, 4, 25, 40)  # 128,000 elements: the share of zeros within ±0.8% of p
# PyTorch's own dropouts, which the exercise replaces: watched by name, since on the CPU they run
# the same tensor operations (bernoulli_, mul) as an answer written from scratch.
BUILTIN_DROPOUTS = {
    **{f"F.{name}": (F, name) for name in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout")},
    **{f"F.{name}": (F, name) for name in ("feature_alpha_dropout",)},
    **{f"torch.{name}": (torch, name) for name in ("dropout", "feature_dropout", "alpha_dropout", "native_dropout")},
}


def dropout_call(p: float, training: bool) -> str:
    """The words for a call of the exercise with these arguments."""
    return f"dropout(x, p={p:g}, training={training})"


def positive_input(shape, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """x for the checks: values 0.5, 1.0, ..., 3.0 in turn (no zero, so that a 0 in the output is a
    dropped element)."""
    return 0.5 + (kit.numbers(*shape) % 6).to(dtype) / 2


def call_dropout(dropout, x: torch.Tensor, args: tuple, what: str) -> torch.Tensor:
    """``dropout(x, *args)``, written from scratch, returning a tensor of x's shape, dtype and device."""
    before = x.detach().clone()
    try:
        with watched_calls(BUILTIN_DROPOUTS) as used:
            y, _ = call(dropout, x, *args, what=what)
    except CheckFailure as failure:
        if x.dtype != torch.float32 and "dtype" in str(failure):
            raise CheckFailure(
                f"{failure}\nGiven a {x.dtype} x, it mixed x's values with a float32 tensor it created: it does not "
                "keep the input's dtype. Create new tensors with dtype=x.dtype (or torch.zeros_like(x) and friends)."
            ) from None
        raise
    if not torch.equal(x.detach(), before):
        raise CheckFailure(
            f"{what} changed its input x: after the call x no longer holds the values it was given. Operations "
            "ending in _ (mul_, zero_, ...) and assignments such as x[...] = ... or x *= ... write into x itself: "
            "compute the result into a new tensor instead."
        )
    if used:
        raise CheckFailure(
            f"{what} must be written from scratch, but it called PyTorch's built-in {used[0]}. Draw the mask "
            "yourself from torch's random numbers (torch.rand_like, torch.bernoulli) and apply it with arithmetic."
        )
    if not isinstance(y, torch.Tensor):
        raise CheckFailure(f"{what} returned {describe(y)}; it should return a tensor of x's shape.")
    if y.shape != x.shape:
        raise CheckFailure(
            f"{what} returned a tensor of shape {shape_text(y.shape)}; it should have x's shape, "
            f"{shape_text(x.shape)}: one output element per input element."
        )
    if y.dtype != x.dtype or y.device != x.device:
        raise CheckFailure(
            f"{what} returned a {y.dtype} tensor on {y.device} for x of {x.dtype} on {x.device}: it must keep "
            "the input's dtype and the input's device (draw the mask with torch.rand_like(x) or "
            "device=x.device)."
        )
    return y


def assert_kept_scaled(x: torch.Tensor, y: torch.Tensor, p: float, what: str) -> None:
    """Every element of ``y`` is 0 or x / (1 - p)."""
    y, x = y.detach().double(), x.detach().double()
    kept = y != 0
    scale = 1 / (1 - p)
    if bool(torch.allclose(y[kept], x[kept] * scale, rtol=1e-5, atol=0)):
        return
    ratios = y[kept] / x[kept]
    if ratios.numel() and bool(torch.allclose(ratios, ratios[0].expand_as(ratios), rtol=1e-5, atol=0)):
        found = f"every nonzero output is x times {float(ratios[0]):.4g}"
    elif not bool(torch.isfinite(y).all()):
        found = "some outputs are nan or infinite"
    else:
        found = "some nonzero outputs are not x times one same factor"
    raise CheckFailure(
        f"{what} should zero some elements and multiply the others by 1 / (1 - p) = {scale:.4g}; {found}. "
        "Inverted dropout scales the kept elements up in training so that the expected value of each "
        "element stays x."
    )


def assert_mask_per_element(y: torch.Tensor, what: str) -> None:
    """The dropped positions differ from one image of the batch (first dimension) to the next."""
    zeros = (y.detach() == 0).reshape(y.shape[0], -1)
    if y.shape[0] > 1 and bool((zeros == zeros[0]).all()):
        raise CheckFailure(
            f"{what} dropped the same positions in all {y.shape[0]} images of the batch: one mask was drawn "
            f"for one image ({shape_text(y.shape[1:])}) and shared by the batch. Each element of x, in every "
            "image, must be dropped independently: draw the mask with x's full shape."
        )


def zero_tolerance(p: float, n: int) -> float:
    """:data:`ZEROS_SE` standard deviations of the share of zeros among ``n`` elements."""
    return ZEROS_SE * math.sqrt(p * (1 - p) / n)


def assert_share_of_zeros(y: torch.Tensor, p: float, what: str) -> None:
    """The share of zeros in ``y`` is p, within :func:`zero_tolerance`."""
    n = y.numel()
    share = float((y.detach() == 0).double().mean())
    tolerance = zero_tolerance(p, n)
    if abs(share - p) > tolerance:
        raise CheckFailure(
            f"{what} zeroed {share:.0%} of the {n:,} elements of x; it should drop each element with "
            f"probability p, so close to {p:.0%} of them (within ±{tolerance:.1%}, {ZEROS_SE:g} standard "
            "deviations), and keep each with probability 1 - p."
        )


def assert_mean_kept(x: torch.Tensor, y: torch.Tensor, p: float, what: str) -> None:
    """The mean of ``y`` is x's, within :data:`ZEROS_SE` standard deviations."""
    x, y = x.detach().double(), y.detach().double()
    n = x.numel()
    spread = math.sqrt(float((x * x).sum()) * p / (1 - p)) / n
    if abs(float(y.mean() - x.mean())) > ZEROS_SE * spread:
        raise CheckFailure(
            f"{what} has mean {float(y.mean()):.4f}, but x has mean {float(x.mean()):.4f}: inverted dropout keeps "
            f"the expected value of every element, so the two should agree within {ZEROS_SE * spread:.4f} "
            f"({ZEROS_SE:g} standard deviations)."
        )


def assert_training_dropout(dropout, x: torch.Tensor, p: float, what: str, defaults: bool = False) -> torch.Tensor:
    """A call in training: values 0 or x / (1 - p), one mask element per element of the batch, the
    share of zeros close to p, the mean kept; return the output."""
    y = call_dropout(dropout, x, () if defaults else (p, True), what)
    assert_kept_scaled(x, y, p, what)
    assert_mask_per_element(y, what)
    assert_share_of_zeros(y, p, what)
    assert_mean_kept(x, y, p, what)
    return y


def assert_dropout_is(dropout, x: torch.Tensor, p: float, training: bool, wanted: torch.Tensor, rule: str) -> None:
    """The deterministic cases: with p = 0 or in eval mode the output is x, with p = 1 zeros."""
    what = dropout_call(p, training)
    y = call_dropout(dropout, x, (p, training), what)
    if not bool(torch.isfinite(y).all()):
        advice = " With p = 1, 1 / (1 - p) divides by 0: handle p = 1 on its own." if p == 1 else ""
        raise CheckFailure(f"{what} returned nan or infinite values; it should return {rule}.{advice}")
    try:
        assert_matches(y, wanted, what)
    except CheckFailure as failure:
        raise CheckFailure(f"{what} should return {rule}.\n{failure}") from None


EVAL_RULE = "x as it is, every element kept and none scaled (x itself or an equal new tensor)"
RULES = {
    "p0": "x as it is: with p = 0 nothing is dropped and 1 / (1 - p) = 1",
    "p1": "all zeros: with p = 1 every element is dropped (as PyTorch's dropout does)",
    "eval": f"{EVAL_RULE}, since training=False is eval mode",
}


def assert_deterministic_cases(dropout, x: torch.Tensor, wanted: Callable) -> None:
    """p = 0 gives x, p = 1 zeros, eval mode x; ``wanted(p, training)`` gives the expected output."""
    for (p, training), rule in zip(((0.0, True), (1.0, True), (DROPOUT_P, False)), RULES.values()):
        assert_dropout_is(dropout, kit.copies(x)[0], p, training, wanted(p, training), rule)


def assert_reproducible(dropout, x: torch.Tensor, seeds: tuple[int, int], p: float = DROPOUT_P) -> None:
    """Two calls after the same ``torch.manual_seed`` give the same output; another seed another one."""
    what = dropout_call(p, True)
    outputs = []
    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        for seed in (seeds[0], seeds[0], seeds[1]):
            torch.manual_seed(seed)
            outputs.append(call_dropout(dropout, x, (p, True), f"{what} after torch.manual_seed({seed})").detach())
    first, again, other = outputs
    if not torch.equal(first, again):
        raise CheckFailure(
            f"{what} gave two different outputs after the same torch.manual_seed({seeds[0]}): its mask does not "
            "come from torch's random numbers, so torch.manual_seed cannot make it reproducible. Draw it with "
            "torch.rand_like or torch.bernoulli (not numpy or Python's random module)."
        )
    if torch.equal(first, other):
        raise CheckFailure(
            f"{what} gave the same output after torch.manual_seed({seeds[0]}) and torch.manual_seed({seeds[1]}): "
            "its mask does not follow torch's random numbers (a generator of its own with a fixed seed?). Draw it "
            "with torch.rand_like or torch.bernoulli, from torch's default generator."
        )


def assert_dropout_gradient(dropout, x: torch.Tensor, p: float) -> None:
    """The gradient with respect to x is the mask / (1 - p): 1 / (1 - p) where kept, 0 where dropped."""
    what = dropout_call(p, True)
    leaf = x.detach().clone().requires_grad_(True)
    y = call_dropout(dropout, leaf, (p, True), what)
    if not y.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable: its result is not connected to x in the autograd graph. Build it "
            "with tensor operations on x (no .detach(), .data, .item() or torch.tensor(...) of x's values)."
        )
    (gradient,) = kit.gradients(y, [leaf], torch.ones_like(y), what)
    gradient = torch.zeros_like(leaf) if gradient is None else gradient
    wanted = (y.detach() != 0).to(x.dtype) / (1 - p)
    assert_matches(
        gradient,
        wanted,
        f"The gradient of sum({what}) with respect to x (it should be the mask / (1 - p): {1 / (1 - p):.4g} where an "
        "element was kept, 0 where it was dropped)",
    )


@diagnosed.by_failure
def check_dropout(dropout) -> None:
    """Visible checks of ``dropout``: on a batch of 128,000 elements with p = 0.3 in training, and with
    the defaults: every output 0 or x / (1 - p), a mask per element, the share of zeros close to p,
    the mean kept; p = 0, p = 1 and eval mode; reproducible with torch.manual_seed; the gradient
    mask / (1 - p); x unchanged, dtype and device kept, written from scratch."""
    x = positive_input(DROPOUT_SHAPE)
    assert_training_dropout(
        dropout, x, DROPOUT_P, f"{dropout_call(DROPOUT_P, True)} on a batch x of shape {shape_text(x.shape)}"
    )
    assert_training_dropout(dropout, x, 0.5, "dropout(x) (the defaults: p=0.5, training=True)", defaults=True)
    small = positive_input((2, 3, 4, 5))
    assert_deterministic_cases(dropout, small, lambda p, training: expected.dropout(small, p, training))
    assert_reproducible(dropout, positive_input((4, 250)), (1, 2))
    assert_dropout_gradient(dropout, positive_input((4, 250), torch.float64), DROPOUT_P)
    properties.assert_properties(
        dropout,
        (small, DROPOUT_P, True),
        f"{dropout_call(DROPOUT_P, True)} on x of shape {shape_text(small.shape)}",
        {0: "x"},
    )
