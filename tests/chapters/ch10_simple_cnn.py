"""Chapter 10 (putting it together): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "SimpleCNN_flatten_size": "layer4.fc1 is Linear(in_features=8192",
    "SimpleCNN_flatten_batch": "mat1 and mat2 shapes cannot be multiplied",
    "SimpleCNN_unnamed_layers": "expected layer1.conv1, got layer1.0",
    "SimpleCNN_softmax": "ends in a softmax",
    "DigitsCNN_no_dropout": "expected layer3.dropout, got layer3.fc2",
    "DigitsCNN_functional_dropout": "is not right",
    "init_weights_biases_random": "every bias of a convolution or linear layer must be set to 0",
    "init_weights_uniform": "look uniform (xavier_uniform_?)",
    "init_weights_break": "features.conv2.weight",
    "init_weights_bias_always": "'NoneType' object has no attribute 'data'",
    # the visible check's network has a linear layer without bias too
    "init_weights_linear_bias_always": "'NoneType' object has no attribute 'zero_'",
    "init_weights_by_shape": "a parameter of BatchNorm2d",
    # the visible check's short run is enough to name these, and says which rule of the recipe broke
    "train_digits_no_eval": "never ran the model in eval mode. The recipe tests in eval mode",
    "train_digits_no_zero_grad": "The recipe clears them for every mini-batch: backward() accumulates, so call "
    "optimizer.zero_grad()",
    "train_digits_softmax_loss": "back-propagated through a softmax: the loss was computed on softmax(...) of the "
    "network's output. The recipe computes nn.CrossEntropyLoss on the raw scores",
    "train_digits_fixed_lr": "ran Adam at a learning rate of 0.001; the recipe runs it at the lr argument, 0.01",
    "train_digits_train_accuracy": "did you measure the accuracy on the training set?",
    "train_digits_one_batch": "ran the network on 64 training images in train mode; 2 epoch(s) over the 80 training "
    "images are 160",
    "train_digits_percentage": "not a percentage",
    # dropout is random: its checks test the distribution, and their messages round what they measure
    "dropout_no_rescale": "multiply the others by 1 / (1 - p) = 1.429; every nonzero output is x times 1.",
    "dropout_scale_by_keep": "every nonzero output is x times 0.7.",
    "dropout_in_eval": "dropout(x, p=0.3, training=False) should return x as it is",
    "dropout_keep_with_p": "zeroed 70% of the 128,000 elements of x",
    "dropout_batch_mask": "dropped the same positions in all 32 images of the batch",
    "dropout_p1_nan": "dropout(x, p=1, training=True) returned nan or infinite values",
    "dropout_numpy_mask": "gave two different outputs after the same torch.manual_seed(1)",
}

# What each exercise's text states beyond the values (tests/test_properties.py): the networks keep
# the batch and float64, init_weights the parameters' dtype and device, train_digits the recipe,
# dropout the tensor properties and no built-in dropout.
PROPERTIES = {
    "SimpleCNN": ("batch", "dtype"),
    "init_weights": ("dtype", "device"),
    "DigitsCNN": ("batch", "dtype"),
    "train_digits": ("recipe",),
    "dropout": ("dtype", "device", "differentiable", "unchanged", "from scratch"),
}

# The hidden check of train_digits trains networks for seconds: fewer seeds for its mistakes,
# and none for the solution, whose reliability benchmarks/train_digits_reliability.py measures
# (see tests/chapters/test_ch10_simple_cnn.py).
MISTAKE_SEEDS_FOR = {"train_digits": range(3)}
SOLUTION_SEEDS_FOR = {"init_weights": range(60), "SimpleCNN": range(5), "DigitsCNN": range(5), "train_digits": ()}

HINTS_QUOTING_THE_SOLUTION = {
    "DigitsCNN_functional_dropout": "it names model.train(), a call, not a line of the answer to copy",
    "train_digits_no_zero_grad": "it names optimizer.zero_grad(), a call, not a line of the answer to copy",
}

# Other right ways to write dropout: a Bernoulli mask, torch.where, a copy in eval mode, a float mask.
OTHER_CORRECT_ANSWERS = {
    "dropout": {
        "torch.bernoulli mask, a copy in eval mode": """
def dropout(x, p=0.5, training=True):
    if not training:
        return x.clone()
    if p == 1:
        return x * 0
    mask = torch.bernoulli(torch.full_like(x, 1 - p))
    return mask * x / (1 - p)
""",
        "torch.where on uniform numbers": """
def dropout(x, p=0.5, training=True):
    if training and p > 0:
        if p >= 1:
            return torch.zeros_like(x)
        return torch.where(torch.rand(x.shape, device=x.device) < p, torch.zeros_like(x), x / (1 - p))
    return x
""",
        "empty_like().bernoulli_() as in PyTorch": """
def dropout(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return x * torch.empty_like(x).bernoulli_(1 - p) * scale
""",
    },
}
