"""Wrong answers to chapter 10's ``SimpleCNN``, ``init_weights``, ``DigitsCNN`` and ``train_digits``, and
answers that break a property the exercises state (``@breaks``): a forward that loses float64 or the
batch, an initialisation that makes new float32 tensors on the default device, training that
leaves the recipe.

Each becomes the student's answer cell, after ``import torch``, ``import torch.nn.functional
as F`` and ``from torch import nn``; ``digits_data`` comes from the notebook's first cell
(imported here only to give the name a meaning).
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch10_simple_cnn.data import digits_data
from autograder.runtime.mistakes import breaks, mistake

SHAPES = "ch10_simple_cnn#following-the-shapes"
BLOCKS = "ch10_simple_cnn#a-network-from-blocks"
INIT = "ch10_simple_cnn#xavier-initialisation"
LOOP = "ch10_simple_cnn#the-training-loop"
MODES = "ch10_simple_cnn#train-mode-and-eval-mode"
LOSS = "ch10_simple_cnn#logits-and-the-loss"
HELD_OUT = "ch10_simple_cnn#real-digits"

# ---------------------------------------------------------------------------------------
# SimpleCNN


@mistake(
    "SimpleCNN",
    summary="fc1 sized for 8x8 feature maps (one pooling forgotten): Linear(8192, 512)",
    hint="Each of the three blocks halves the height and width: 32 -> 16 -> 8 -> 4, so layer3 "
    "hands over 128 maps of 4x4 pixels. Follow the shapes block by block.",
    section=SHAPES,
)
class SimpleCNN_flatten_size(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(128 * 8 * 8, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.view(x.size(0), -1))


@mistake(
    "SimpleCNN",
    summary="flattens the whole batch into one vector (torch.flatten(x))",
    hint="The batch dimension was flattened with the features: for two images fc1 received one row of "
    "4096 numbers instead of two rows of 2048. Flatten each image on its own, keeping the batch "
    "dimension: x.view(x.size(0), -1) or x.flatten(1).",
    section=SHAPES,
)
class SimpleCNN_flatten_batch(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(2048, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(torch.flatten(x))


@mistake(
    "SimpleCNN",
    summary="blocks built with nn.Sequential(...) positionally: layers named 0, 1, 2",
    hint="The layers are named '0', '1', '2', as nn.Sequential names the layers it is given without "
    "names. The exercise asks for the names of chapter 10 (conv1, relu1, pool1, ...), given with "
    "add_module(name, layer).",
    section=BLOCKS,
)
class SimpleCNN_unnamed_layers(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(3, 32, 3, 1, padding=1), nn.ReLU(True), nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential(nn.Conv2d(32, 64, 3, 1, padding=1), nn.ReLU(True), nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential(nn.Conv2d(64, 128, 3, 1, padding=1), nn.ReLU(True), nn.MaxPool2d(2, 2))
        self.layer4 = nn.Sequential(
            nn.Linear(2048, 512), nn.ReLU(True), nn.Linear(512, 64), nn.ReLU(True), nn.Linear(64, 10)
        )

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.view(x.size(0), -1))


@mistake(
    "SimpleCNN",
    summary="no ReLU between fc2 and fc3",
    hint="Two linear layers with nothing in between are one linear layer in disguise: layer4 has a "
    "ReLU after fc1 and another after fc2 (fc_relu1, fc_relu2).",
    section=BLOCKS,
)
class SimpleCNN_missing_relu(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(2048, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.view(x.size(0), -1))


@mistake(
    "SimpleCNN",
    summary="ends in a softmax",
    hint="The network returns raw scores (logits); nn.CrossEntropyLoss applies log-softmax itself, "
    "and the class with the largest score is the same with or without a softmax.",
    section=LOSS,
)
class SimpleCNN_softmax(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(2048, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return F.softmax(self.layer4(x.view(x.size(0), -1)), dim=1)


@mistake(
    "SimpleCNN",
    summary="convolutions without padding (and fc1 resized to fit)",
    hint="SimpleCNN's convolutions have padding=1, so a 3x3 kernel keeps the height and width and "
    "only the poolings shrink them; without it every convolution trims a pixel on each side.",
    section=SHAPES,
)
class SimpleCNN_no_padding(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(128 * 2 * 2, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.view(x.size(0), -1))


@breaks("SimpleCNN", "batch")
class SimpleCNN_one_image(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(2048, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.reshape(1, -1))


@breaks("SimpleCNN", "dtype")
class SimpleCNN_float_input(nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 32, 64, 128]
        for n in (1, 2, 3):
            block = nn.Sequential()
            block.add_module(f"conv{n}", nn.Conv2d(channels[n - 1], channels[n], 3, 1, padding=1))
            block.add_module(f"relu{n}", nn.ReLU(True))
            block.add_module(f"pool{n}", nn.MaxPool2d(2, 2))
            setattr(self, f"layer{n}", block)
        self.layer4 = nn.Sequential()
        self.layer4.add_module("fc1", nn.Linear(2048, 512))
        self.layer4.add_module("fc_relu1", nn.ReLU(True))
        self.layer4.add_module("fc2", nn.Linear(512, 64))
        self.layer4.add_module("fc_relu2", nn.ReLU(True))
        self.layer4.add_module("fc3", nn.Linear(64, 10))

    def forward(self, x):
        x = x.float()
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.layer4(x.view(x.size(0), -1))


# ---------------------------------------------------------------------------------------
# init_weights


@mistake(
    "init_weights",
    summary="leaves the biases at their random default",
    hint="nn.Conv2d and nn.Linear start with random biases; the exercise asks for Xavier weights "
    "and biases set to 0 (nn.init.zeros_), for every layer that has a bias.",
    section=INIT,
)
def init_weights_biases_random(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(module.weight)


@mistake(
    "init_weights",
    summary="stops after the first layer (a `break` in the loop)",
    hint="Only the first layer was initialised: every other layer kept its default weights, as when "
    "the loop over model.modules() ends early (a `break` in it). Visit every module.",
    section=INIT,
)
def init_weights_break(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
            break


@mistake(
    "init_weights",
    summary="Xavier-uniform instead of Xavier-normal",
    hint="The weights have Xavier's variance but look uniform (too few values far from 0), as "
    "nn.init.xavier_uniform_ draws them; the exercise asks for the normal distribution, "
    "nn.init.xavier_normal_.",
    section=INIT,
)
def init_weights_uniform(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


@mistake(
    "init_weights",
    summary="Kaiming-normal (variance 2 / fan_in) instead of Xavier",
    hint="The weights are too spread out for Xavier: their variance is near 2 / fan_in, Kaiming (He) "
    "initialisation's. Xavier (Glorot) uses 2 / (fan_in + fan_out), averaging what the forward and "
    "the backward pass need.",
    section=INIT,
)
def init_weights_kaiming(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


@mistake(
    "init_weights",
    summary="standard normal weights (`nn.init.normal_` with its defaults), whatever the layer's size",
    hint="N(0, 1) weights make every layer multiply the size of its signal by about the square root "
    "of its fan-in; Xavier scales the variance to 2 / (fan_in + fan_out).",
    section=INIT,
)
def init_weights_standard_normal(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(module.weight)
            if module.bias is not None:
                module.bias.data.fill_(0)


@mistake(
    "init_weights",
    summary="assumes every layer has a bias (fails on bias=False)",
    hint="A layer created with bias=False has bias set to None: test for it before zeroing it.",
    section=INIT,
)
def init_weights_bias_always(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(module.weight)
            module.bias.data.zero_()


@mistake(
    "init_weights",
    summary="assumes every linear layer has a bias (fails on nn.Linear(..., bias=False))",
    hint="A linear layer can have no bias, like a convolution: created with bias=False, its bias is None. "
    "Test for None before setting a bias, in every kind of layer.",
    section=INIT,
)
def init_weights_linear_bias_always(model):
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.xavier_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            nn.init.xavier_normal_(module.weight)
            nn.init.zeros_(module.bias)


@mistake(
    "init_weights",
    summary="goes by the parameters' shapes and zeroes a batch norm's scale too",
    hint="A batch norm's parameters were changed: only convolutions and linear layers are to be "
    "initialised. Choosing by the parameters' shapes (every 1-D parameter a bias) catches a batch "
    "norm's scale and shift too; select the layers by their type.",
    section=INIT,
)
def init_weights_by_shape(model):
    for parameter in model.parameters():
        if parameter.dim() > 1:
            nn.init.xavier_normal_(parameter)
        else:
            nn.init.zeros_(parameter)


@mistake(
    "init_weights",
    summary="initialises the convolutions only",
    hint="The linear layers are part of the network too: initialise every nn.Conv2d and every nn.Linear.",
    section=INIT,
)
def init_weights_conv_only(model):
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.xavier_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


@breaks("init_weights", "device")
def init_weights_new_tensors(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            weight = module.weight
            fan_in = weight[0].numel()
            fan_out = weight.shape[0] * weight[0][0].numel()
            weight.data = torch.randn(weight.shape) * (2 / (fan_in + fan_out)) ** 0.5
            if module.bias is not None:
                module.bias.data = torch.zeros(module.bias.shape)


@breaks("init_weights", "dtype")
def init_weights_new_tensors_on_device(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            weight = module.weight
            fan_in = weight[0].numel()
            fan_out = weight.shape[0] * weight[0][0].numel()
            weight.data = torch.randn(weight.shape, device=weight.device) * (2 / (fan_in + fan_out)) ** 0.5
            if module.bias is not None:
                module.bias.data = torch.zeros(module.bias.shape, device=weight.device)


# ---------------------------------------------------------------------------------------
# DigitsCNN


@mistake(
    "DigitsCNN",
    summary="fc1 sized for 4x4 feature maps (the second pooling forgotten): Linear(512, 64)",
    hint="Both blocks halve the height and width, 8 -> 4 -> 2, so layer2 hands over 32 maps of 2x2 "
    "pixels, 128 numbers per image.",
    section=SHAPES,
)
class DigitsCNN_flatten_size(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 4 * 4, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.view(x.size(0), -1))


@mistake(
    "DigitsCNN",
    summary="ends in nn.Softmax",
    hint="Return the logits: nn.CrossEntropyLoss applies log-softmax itself, and a softmax in front "
    "of it squashes the scores and slows learning down.",
    section=LOSS,
)
class DigitsCNN_softmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))
        self.layer3.add_module("softmax", nn.Softmax(dim=1))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.view(x.size(0), -1))


@mistake(
    "DigitsCNN",
    summary="no dropout layer",
    hint="layer3 has an nn.Dropout(0.5) between fc_relu1 and fc2, named dropout: it is what makes "
    "train mode and eval mode differ in the next exercise.",
    section=MODES,
)
class DigitsCNN_no_dropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.view(x.size(0), -1))


@mistake(
    "DigitsCNN",
    summary="dropout applied with F.dropout in forward, active in eval mode too",
    hint="In eval mode the output is not the network's: units are still dropped at random, as by a "
    "functional dropout (F.dropout's training argument defaults to True). An nn.Dropout module "
    "follows model.train() and model.eval().",
    section=MODES,
)
class DigitsCNN_functional_dropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x)).view(x.size(0), -1)
        x = F.dropout(self.layer3.fc_relu1(self.layer3.fc1(x)), 0.5)
        return self.layer3.fc2(x)


@mistake(
    "DigitsCNN",
    summary="average pooling instead of max pooling",
    hint="The blocks of SimpleCNN's style pool with nn.MaxPool2d(2, 2): the largest value of each "
    "2x2 window, not their mean.",
    section=BLOCKS,
)
class DigitsCNN_avg_pool(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.AvgPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.AvgPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.view(x.size(0), -1))


@breaks("DigitsCNN", "batch")
class DigitsCNN_one_image(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.view(1, -1))


@breaks("DigitsCNN", "dtype")
class DigitsCNN_float_input(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential()
        self.layer1.add_module("conv1", nn.Conv2d(1, 16, 3, 1, padding=1))
        self.layer1.add_module("relu1", nn.ReLU(True))
        self.layer1.add_module("pool1", nn.MaxPool2d(2, 2))
        self.layer2 = nn.Sequential()
        self.layer2.add_module("conv2", nn.Conv2d(16, 32, 3, 1, padding=1))
        self.layer2.add_module("relu2", nn.ReLU(True))
        self.layer2.add_module("pool2", nn.MaxPool2d(2, 2))
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(32 * 2 * 2, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU(True))
        self.layer3.add_module("dropout", nn.Dropout(0.5))
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = torch.as_tensor(x, dtype=torch.float32)
        x = self.layer2(self.layer1(x))
        return self.layer3(x.flatten(1))


# ---------------------------------------------------------------------------------------
# train_digits


@mistake(
    "train_digits",
    summary="never switches to eval mode for the test accuracy",
    hint="In train mode the dropout drops half the hidden units at random, so the test accuracy "
    "comes out lower and different on every run: call model.eval() before testing.",
    section=MODES,
)
def train_digits_no_eval(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="never zeroes the gradients (no optimizer.zero_grad())",
    hint="backward() adds to .grad: without optimizer.zero_grad() each step also carries the "
    "gradients of every earlier mini-batch.",
    section=LOOP,
)
def train_digits_no_zero_grad(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="softmax before nn.CrossEntropyLoss",
    hint="nn.CrossEntropyLoss takes the raw scores and applies log-softmax itself; a softmax in "
    "front of it squashes the scores into [0, 1] and weakens the gradients.",
    section=LOSS,
)
def train_digits_softmax_loss(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            probabilities = torch.softmax(model(X_train[batch]), dim=1)
            loss = loss_fn(probabilities, y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="measures the accuracy on the training set",
    hint="The network was fitted to the training images: their accuracy overstates how it does on "
    "new digits. Measure it on X_test and y_test.",
    section=HELD_OUT,
)
def train_digits_train_accuracy(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_train).argmax(dim=1)
    return (predicted == y_train).float().mean().item()


@mistake(
    "train_digits",
    summary="ignores lr (always 0.001)",
    hint="Give the optimizer the lr argument: torch.optim.Adam(model.parameters(), lr=lr).",
    section=LOOP,
)
def train_digits_fixed_lr(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="ignores epochs (always 10)",
    hint="Run as many passes over the training set as the epochs argument asks for.",
    section=LOOP,
)
def train_digits_fixed_epochs(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(10):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="one mini-batch per epoch instead of a pass over the training set",
    hint="An epoch goes through all 1347 training images, 32 at a time; one step per epoch trains on "
    "a tiny part of the data.",
    section=LOOP,
)
def train_digits_one_batch(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        batch = torch.randperm(len(X_train), device=on)[:32]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@mistake(
    "train_digits",
    summary="returns a percentage",
    hint="Return the share of test images classified correctly, between 0 and 1 (0.97, not 97).",
    section=LOOP,
)
def train_digits_percentage(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return 100 * (predicted == y_test).float().mean().item()


@breaks("train_digits", "recipe")
def train_digits_plain_sgd(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), device=on)
        for batch in order.split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


@breaks("train_digits", "recipe")
def train_digits_full_batch(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(X_train), y_train)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(X_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


# ---------------------------------------------------------------------------------------
# dropout

DROPOUT = "ch10_simple_cnn#dropout"


@mistake(
    "dropout",
    summary="drops elements but does not scale the kept ones up (no division by 1 - p)",
    hint="The kept elements came out equal to x, so the expected value of each output is (1 - p) x and the "
    "next layer sees smaller values in training than in eval mode; inverted dropout divides the kept "
    "elements by 1 - p.",
    section=DROPOUT,
)
def dropout_no_rescale(x, p=0.5, training=True):
    if not training:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep


@mistake(
    "dropout",
    summary="scales the kept elements by 1 - p instead of 1 / (1 - p)",
    hint="The kept elements came out smaller than x, not larger: multiplying by the keep probability "
    "shrinks the expected value to (1 - p)^2 x, where dividing by it restores x.",
    section=DROPOUT,
)
def dropout_scale_by_keep(x, p=0.5, training=True):
    if not training:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep * (1 - p)


@mistake(
    "dropout",
    summary="drops elements in eval mode too (ignores training)",
    hint="In eval mode the output must be x itself, every unit present and none scaled, so that a trained "
    "network gives the same answer every time; the training argument is usually forgotten, or tested the "
    "wrong way round.",
    section=DROPOUT,
)
def dropout_in_eval(x, p=0.5, training=True):
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand_like(x) >= p
    return x * keep / (1 - p)


@mistake(
    "dropout",
    summary="keeps each element with probability p instead of dropping it with probability p",
    hint="About 1 - p of the elements came out zero instead of p: p is the probability of dropping an "
    "element, so an element is kept when its uniform random number is at least p (a comparison the wrong "
    "way round gives this).",
    section=DROPOUT,
)
def dropout_keep_with_p(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand_like(x) < p
    return x * keep / (1 - p)


@mistake(
    "dropout",
    summary="draws one mask for one image and shares it with the whole batch",
    hint="Every image of the batch lost the same positions, because the mask had the shape of one image and "
    "was broadcast over the batch; each element of every image must be dropped on its own, with a mask of "
    "x's full shape.",
    section=DROPOUT,
)
def dropout_batch_mask(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape[1:], device=x.device) >= p
    return x * keep / (1 - p)


@mistake(
    "dropout",
    summary="divides by 1 - p even when p = 1 (0 / 0 gives nan)",
    hint="With p = 1 every element is dropped and 1 - p is 0, so 0 / 0 gave nan instead of zeros; p = 1 "
    "needs a case of its own.",
    section=DROPOUT,
)
def dropout_p1_nan(x, p=0.5, training=True):
    if not training:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep / (1 - p)


@mistake(
    "dropout",
    summary="draws its mask with NumPy, which torch.manual_seed does not seed",
    hint="Two calls after the same torch.manual_seed gave different masks: NumPy (or Python's random module) "
    "has a generator of its own, so the run cannot be reproduced from torch's seed; draw the mask with "
    "torch's random functions.",
    section=DROPOUT,
)
def dropout_numpy_mask(x, p=0.5, training=True):
    import numpy as np

    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.from_numpy(np.random.rand(*x.shape) >= p).to(x.device)
    return x * keep / (1 - p)


@breaks("dropout", "dtype")
def dropout_float32_output(x, p=0.5, training=True):
    if not training:
        return x
    out = torch.zeros(x.shape, device=x.device)
    keep = torch.rand_like(x) >= p
    out[keep] = x[keep] / (1 - p)
    return out


@breaks("dropout", "device")
def dropout_mask_on_default_device(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape) >= p
    return x * keep / (1 - p)


@breaks("dropout", "differentiable")
def dropout_detached(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand_like(x) >= p
    return x.detach() * keep / (1 - p)


@breaks("dropout", "unchanged")
def dropout_in_place(x, p=0.5, training=True):
    if not training:
        return x
    if p == 1:
        return x.zero_()
    keep = torch.rand_like(x) >= p
    return x.mul_(keep).div_(1 - p)


@breaks("dropout", "from scratch")
def dropout_builtin(x, p=0.5, training=True):
    return F.dropout(x, p, training)
