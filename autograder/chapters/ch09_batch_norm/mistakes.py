"""Wrong answers to chapter 9's ``batch_norm`` and ``BatchNorm2d``.

In the notebook, ``BatchNorm2d`` may build on the notebook's own ``batch_norm`` (the answer
cell above it); the import below only gives that name a meaning here.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch09_batch_norm.reference import batch_norm  # the notebook's own batch_norm stands in for it
from autograder.runtime.mistakes import mistake

PAGE = "ch09_batch_norm"

# ---------------------------------------------------------------------------------------
# batch_norm


@mistake(
    "batch_norm",
    summary="normalizes over the batch axis only, also for images",
    hint="For images the statistics of a channel are taken over the batch and over all pixels, "
    "axes (0, 2, 3): one mean and one variance per channel, not per pixel.",
    section=f"{PAGE}#statistics-per-channel",
)
def batch_norm_batch_axis_only(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    shape = [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean = X.mean(dim=0)
        var = X.var(dim=0, correction=0)
        n = X.shape[0]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean.reshape(mean.shape[0], -1).mean(1)
            running_var = (1 - momentum) * running_var + momentum * (var * n / (n - 1)).reshape(var.shape[0], -1).mean(1)
        X_hat = (X - mean) / torch.sqrt(var + eps)
    else:
        X_hat = (X - running_mean.reshape(shape)) / torch.sqrt(running_var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="normalizes each sample over its channels (axis 1) instead of each channel over the batch",
    hint="Batch normalization averages one channel over the batch (and the pixels), so the axis it "
    "keeps is the channel axis 1; averaging over axis 1 mixes the channels of one sample.",
    section=f"{PAGE}#statistics-per-channel",
)
def batch_norm_wrong_axes(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    shape = [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean = X.mean(dim=1, keepdim=True)
        var = X.var(dim=1, keepdim=True, correction=0)
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * X.mean(dim=[a for a in range(X.dim()) if a != 1])
            running_var = (1 - momentum) * running_var + momentum * X.var(dim=[a for a in range(X.dim()) if a != 1])
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    return gamma.reshape(shape) * (X - mean) / torch.sqrt(var + eps) + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="stores the biased variance in the running estimate",
    hint="The output is normalized with the biased batch variance, but PyTorch's running_var moves "
    "towards the unbiased one (divided by n - 1, with n = N * H * W values per channel).",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
def batch_norm_biased_running_var(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="normalizes with the unbiased variance (torch.var's default)",
    hint="X.var() divides by n - 1 unless told otherwise; the output of batch normalization uses "
    "the biased batch variance, divided by n (correction=0).",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
def batch_norm_unbiased_output(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = [0] if X.dim() == 2 else [0, 2, 3]
    shape = [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = X.mean(dim=axes), X.var(dim=axes)
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="corrects the variance with N / (N - 1) instead of n / (n - 1), n = N * H * W",
    hint="Each channel of an image batch has N * H * W values, and the unbiased variance divides "
    "their squared deviations by N * H * W - 1, not by N - 1.",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
def batch_norm_bessel_with_N(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = X.mean(dim=axes), X.var(dim=axes, correction=0)
        N = X.shape[0]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * N / (N - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="momentum weights the old estimate (the reversed convention)",
    hint="In PyTorch, momentum is the weight of the new batch statistic: new = (1 - momentum) * old "
    "+ momentum * batch, so with the default 0.1 the estimate moves a tenth of the way.",
    section=f"{PAGE}#the-momentum-convention",
)
def batch_norm_momentum_reversed(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = momentum * running_mean + (1 - momentum) * mean
            running_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="eval mode uses the batch statistics",
    hint="In eval mode the output must use the running estimates, so that a sample's output does "
    "not depend on the other samples of its batch.",
    section=f"{PAGE}#training-and-evaluation",
)
def batch_norm_eval_batch_stats(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
    if training:
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="updates the running estimates in eval mode too",
    hint="Evaluation must not change the model: in eval mode, normalize with the running estimates "
    "and return them as they came in.",
    section=f"{PAGE}#training-and-evaluation",
)
def batch_norm_updates_in_eval(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
    if not training:
        mean, var = running_mean, running_var
    with torch.no_grad():
        running_mean = (1 - momentum) * running_mean + momentum * X.mean(dim=axes)
        running_var = (1 - momentum) * running_var + momentum * X.var(dim=axes)
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="gamma and beta swapped (beta scales, gamma shifts)",
    hint="gamma is the scale and beta the shift: Y = gamma * X_hat + beta, with X_hat the normalized input.",
    section=f"{PAGE}#normalize-then-scale-and-shift",
)
def batch_norm_gamma_beta_swapped(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return beta.reshape(shape) * X_hat + gamma.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="adds eps outside the square root",
    hint="eps is added to the variance, under the square root: divide by sqrt(var + eps), which "
    "matters for channels whose variance is close to 0.",
    section=f"{PAGE}#where-eps-goes",
)
def batch_norm_eps_outside_sqrt(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / (torch.sqrt(var.reshape(shape)) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="treats the batch mean and variance as constants (detached)",
    hint="The output is right, but in training mode the batch statistics depend on X: detaching "
    "them gives wrong gradients, and training would follow them.",
    section=f"{PAGE}#training-and-evaluation",
)
def batch_norm_detached_stats(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = X.mean(dim=axes).detach(), X.var(dim=axes, correction=0).detach()
        n = X.numel() // X.shape[1]
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="running estimates keep the autograd graph of the batch",
    hint="The running estimates are statistics, not part of the computation that is trained: "
    "update them under torch.no_grad(), or every step's graph stays alive through them.",
    section=f"{PAGE}#running-estimates",
)
def batch_norm_running_with_graph(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@mistake(
    "batch_norm",
    summary="calls the built-in F.batch_norm",
    hint="Compute the per-channel statistics and the normalization yourself; F.batch_norm is the "
    "reference the checks compare with.",
)
def batch_norm_builtin(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    running_mean, running_var = running_mean.clone(), running_var.clone()
    Y = F.batch_norm(X, running_mean, running_var, gamma, beta, training, momentum, eps)
    return Y, running_mean, running_var


# ---------------------------------------------------------------------------------------
# BatchNorm2d


@mistake(
    "BatchNorm2d",
    summary="running estimates kept as plain tensor attributes, not buffers",
    hint="Tensors that belong to the module's state but are not trained are registered with "
    "self.register_buffer: only then do .to() move them and state_dict() save them.",
    section=f"{PAGE}#the-module-and-its-state",
)
class BatchNorm2d_plain_tensors(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)
        self.running_var = torch.ones(num_features)
        self.num_batches_tracked = torch.tensor(0)

    def forward(self, x):
        if self.training:
            self.num_batches_tracked += 1
        Y, self.running_mean, self.running_var = batch_norm(
            x, self.weight, self.bias, self.running_mean, self.running_var, self.training, self.momentum, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="no num_batches_tracked buffer",
    hint="PyTorch's BatchNorm2d also counts its training steps in a buffer num_batches_tracked (a 0-d "
    "int64 tensor); without it, PyTorch's state_dict cannot be loaded and momentum=None cannot work.",
    section=f"{PAGE}#the-module-and-its-state",
)
class BatchNorm2d_no_counter(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        Y, self.running_mean, self.running_var = batch_norm(
            x, self.weight, self.bias, self.running_mean, self.running_var, self.training, self.momentum, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="always uses the batch statistics, in eval mode too",
    hint="nn.Module keeps the mode in self.training (set by .train() and .eval()): in eval mode "
    "the layer must normalize with its running estimates.",
    section=f"{PAGE}#training-and-evaluation",
)
class BatchNorm2d_ignores_mode(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        if not self.track_running_stats:
            return batch_norm(x, gamma, beta, 0 * ones, ones, True)[0]
        self.num_batches_tracked += 1
        momentum = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, True, momentum, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="momentum=None treated as the default 0.1 instead of a cumulative average",
    hint="In PyTorch, momentum=None means the running estimates are the plain average of all "
    "training batches so far: batch k gets the weight 1 / k, with k = num_batches_tracked.",
    section=f"{PAGE}#a-cumulative-average",
)
class BatchNorm2d_momentum_none_default(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        if not self.track_running_stats:
            return batch_norm(x, gamma, beta, 0 * ones, ones, True)[0]
        if self.training:
            self.num_batches_tracked += 1
        momentum = 0.1 if self.momentum is None else self.momentum
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, self.training, momentum, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="momentum=None weights the new batch by 1 / (count before this batch)",
    hint="Count the batch first: the k-th training batch gets the weight 1 / k, so the first one "
    "replaces the starting estimates entirely.",
    section=f"{PAGE}#a-cumulative-average",
)
class BatchNorm2d_cumulative_off_by_one(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        if not self.track_running_stats:
            return batch_norm(x, gamma, beta, 0 * ones, ones, True)[0]
        momentum = self.momentum
        if self.training:
            if momentum is None:
                momentum = 1 / (self.num_batches_tracked.item() + 2)
            self.num_batches_tracked += 1
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, self.training, momentum or 0.0, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="affine=False still creates weight and bias parameters",
    hint="affine=False means no learnable scale and shift at all: the layer has no parameters, "
    "and its output is the normalized input itself.",
    section=f"{PAGE}#without-affine-parameters-or-running-estimates",
)
class BatchNorm2d_affine_ignored(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = True, track_running_stats
        if self.affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if not self.track_running_stats:
            ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
            return batch_norm(x, self.weight, self.bias, 0 * ones, ones, True)[0]
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x, self.weight, self.bias, self.running_mean, self.running_var, self.training, momentum or 0.0,
            self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="track_running_stats=False still keeps and uses running estimates",
    hint="Without tracking, the layer has no running_mean, running_var or num_batches_tracked, and "
    "it normalizes with the batch's statistics in eval mode as well.",
    section=f"{PAGE}#without-affine-parameters-or-running-estimates",
)
class BatchNorm2d_tracking_ignored(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, True
        if self.affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, self.training, momentum or 0.0, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="weight starts random instead of at 1",
    hint="PyTorch starts gamma at 1 and beta at 0, so that a new layer outputs the normalized "
    "input unchanged; training moves them from there.",
    section=f"{PAGE}#the-module-and-its-state",
)
class BatchNorm2d_random_weight(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if self.affine:
            self.weight = nn.Parameter(torch.rand(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        if not self.track_running_stats:
            return batch_norm(x, gamma, beta, 0 * ones, ones, True)[0]
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, self.training, momentum or 0.0, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="counts eval-mode forward passes in num_batches_tracked",
    hint="num_batches_tracked counts the training batches that went into the running estimates; "
    "an eval-mode forward pass changes nothing in the layer.",
    section=f"{PAGE}#training-and-evaluation",
)
class BatchNorm2d_counts_eval(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else 0 * ones
        if not self.track_running_stats:
            return batch_norm(x, gamma, beta, 0 * ones, ones, True)[0]
        self.num_batches_tracked += 1
        momentum = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
        Y, self.running_mean, self.running_var = batch_norm(
            x, gamma, beta, self.running_mean, self.running_var, self.training, momentum, self.eps)
        return Y


@mistake(
    "BatchNorm2d",
    summary="subclasses nn.BatchNorm2d instead of writing the layer",
    hint="The exercise is to write the layer from scratch as an nn.Module; PyTorch's BatchNorm2d is "
    "what the checks compare it with.",
)
class BatchNorm2d_builtin(nn.BatchNorm2d):
    pass
