"""Wrong answers to chapter 9's ``batch_norm`` and ``BatchNorm2d``: known mistakes
(``@mistake``), and after each exercise's, answers right on the values that break a property
its text states (``@breaks``).

Every known mistake of ``BatchNorm2d`` computes its statistics itself, not through the
notebook's own ``batch_norm``: pasted into a notebook whose ``batch_norm`` has a mistake of its
own, it still differs from a right layer by its own mistake alone, so the diagnosis of a layer
that builds on a wrong ``batch_norm`` names that mistake (its ``BatchNorm2d`` twin), not every
layer mistake that happens to call the same wrong function. The variants, which no diagnosis
names, may build on the notebook's ``batch_norm`` (the import below only gives the name a
meaning here).
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch09_batch_norm.reference import batch_norm
from autograder.runtime.mistakes import breaks, mistake

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
            unbiased = var * n / (n - 1)
            running_var = (1 - momentum) * running_var + momentum * unbiased.reshape(var.shape[0], -1).mean(1)
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
    summary="takes the statistics of each image over its pixels only, not over the batch",
    hint="Batch normalization takes a channel's statistics over the whole batch as well as the pixels, axes "
    "(0, 2, 3); over the pixels alone (axes (2, 3)) every image is normalized on its own, which is instance "
    "normalization.",
    section=f"{PAGE}#statistics-per-channel",
)
def batch_norm_per_image(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = X.mean(dim=axes, keepdim=True), X.var(dim=axes, keepdim=True, correction=0)
        n = X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean.reshape(-1, X.shape[1]).mean(0)
            running_var = (1 - momentum) * running_var + momentum * var.reshape(-1, X.shape[1]).mean(0) * n / (n - 1)
    else:
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


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
        mean, var = X.mean(dim=axes), X.var(dim=axes, correction=0)
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
    hint="The output was normalized with the unbiased variance, divided by n - 1 (what X.var() gives "
    "unless told otherwise); batch normalization's output uses the biased batch variance, divided by n "
    "(correction=0).",
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
    summary="training mode normalizes with the running estimates",
    hint="In training mode the output uses the mean and variance of the batch itself; the running "
    "estimates only follow them, for eval mode.",
    section=f"{PAGE}#training-and-evaluation",
)
def batch_norm_running_stats_in_training(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    X_hat = (X - running_mean.reshape(shape)) / torch.sqrt(running_var.reshape(shape) + eps)
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
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
    mean, var = X.mean(dim=axes), X.var(dim=axes, correction=0)
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
    hint="The output is right but its gradient with respect to X is not, as when the batch mean and "
    "variance are treated as constants (detached): they depend on X, and the gradient must flow through "
    "them too.",
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


@breaks("batch_norm", "dtype")
def batch_norm_float32_output(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = [0] if X.dim() == 2 else [0, 2, 3]
    if training:
        mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    Y = torch.empty(X.shape, device=X.device)
    for c in range(X.shape[1]):
        Y[:, c] = gamma[c] * (X[:, c] - mean[c]) / torch.sqrt(var[c] + eps) + beta[c]
    return Y, running_mean, running_var


@breaks("batch_norm", "device")
def batch_norm_statistics_on_the_default_device(
    X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5
):
    C, shape = X.shape[1], [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = torch.zeros(C, dtype=X.dtype), torch.zeros(C, dtype=X.dtype)
        for c in range(C):
            mean[c] = X[:, c].mean()
            var[c] = X[:, c].var(correction=0)
        n = X.numel() // C
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@breaks("batch_norm", "unchanged")
def batch_norm_updates_the_estimates_in_place(
    X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5
):
    dims = tuple(d for d in range(X.dim()) if d != 1)
    view = (1, -1) + (1,) * (X.dim() - 2)
    if training:
        var, mean = torch.var_mean(X, dim=dims, correction=0)
        n = X.numel() / X.shape[1]
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * n / (n - 1) * var)
    else:
        mean, var = running_mean, running_var
    Y = (X - mean.view(view)) * torch.rsqrt(var.view(view) + eps) * gamma.view(view) + beta.view(view)
    return Y, running_mean, running_var


@breaks("batch_norm", "differentiable")
def batch_norm_all_without_grad(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    with torch.no_grad():
        if training:
            mean, var, n = X.mean(dim=axes), X.var(dim=axes, correction=0), X.numel() // X.shape[1]
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
        else:
            mean, var = running_mean, running_var
        X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
        return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


@breaks("batch_norm", "from scratch")
def batch_norm_torch_function(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    running_mean, running_var = running_mean.clone(), running_var.clone()
    Y = torch.batch_norm(X, gamma, beta, running_mean, running_var, training, momentum, eps, False)
    return Y, running_mean, running_var


@breaks("batch_norm", "non-square")
def batch_norm_square_images(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes, shape = ([0] if X.dim() == 2 else [0, 2, 3]), [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean, var = X.mean(dim=axes), X.var(dim=axes, correction=0)
        n = X.shape[0] if X.dim() == 2 else X.shape[0] * X.shape[2] ** 2  # N images of H x H pixels
        with torch.no_grad():
            running_mean = (1 - momentum) * running_mean + momentum * mean
            running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    X_hat = (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    return gamma.reshape(shape) * X_hat + beta.reshape(shape), running_mean, running_var


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
            mean, var, n = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0), x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None]


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
        if self.training:
            mean, var, n = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0), x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean.copy_((1 - self.momentum) * self.running_mean + self.momentum * mean)
                self.running_var.copy_((1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None]


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
        if self.track_running_stats:
            self.num_batches_tracked += 1
            m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 0.1 if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="momentum=None weights the new batch by 1 / (count before this batch)",
    hint="The k-th training batch got the weight 1 / (k + 1): with momentum=None it gets 1 / k, k counting "
    "this batch too, so the first one replaces the starting estimates entirely.",
    section=f"{PAGE}#a-cumulative-average",
)
class BatchNorm2d_cumulative_off_by_one(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                m = 1 / (self.num_batches_tracked.item() + 2) if self.momentum is None else self.momentum
                self.num_batches_tracked += 1
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, True, track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, True
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            self.num_batches_tracked += 1
            m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.rand(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


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
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                m = 1 / (self.num_batches_tracked.item() + 1) if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        if self.track_running_stats:
            self.num_batches_tracked += 1
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="normalizes with the unbiased variance (torch.var's default)",
    hint="The output was normalized with the unbiased variance, divided by n - 1 (what x.var() gives unless "
    "told otherwise); the layer's output uses the biased batch variance, divided by n (correction=0), and only "
    "running_var moves towards the unbiased one.",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
class BatchNorm2d_unbiased_output(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="takes the statistics over the batch axis only, one mean and variance per pixel",
    hint="A channel's statistics are taken over the batch and over all its pixels, axes (0, 2, 3): one "
    "mean and one variance per channel, as many as the layer has running estimates.",
    section=f"{PAGE}#statistics-per-channel",
)
class BatchNorm2d_batch_axis_only(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=0), x.var(dim=0, correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * x.mean(dim=(0, 2, 3)))
                    self.running_var.copy_((1 - m) * self.running_var + m * x.var(dim=(0, 2, 3)) * n / (n - 1))
        else:
            mean, var = self.running_mean[:, None, None], self.running_var[:, None, None]
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="takes the statistics of each image over its pixels only, not over the batch",
    hint="Batch normalization takes a channel's statistics over the whole batch as well as the pixels, axes "
    "(0, 2, 3); over the pixels alone every image is normalized on its own (instance normalization).",
    section=f"{PAGE}#statistics-per-channel",
)
class BatchNorm2d_per_image(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(2, 3), keepdim=True), x.var(dim=(2, 3), keepdim=True, correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean.mean(dim=(0, 2, 3)))
                    self.running_var.copy_((1 - m) * self.running_var + m * var.mean(dim=(0, 2, 3)) * n / (n - 1))
        else:
            mean, var = self.running_mean[:, None, None], self.running_var[:, None, None]
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="normalizes each image over its channels (axis 1) instead of each channel over the batch",
    hint="The axis batch normalization keeps is the channel axis 1: one mean and variance per channel, "
    "taken over the batch and the pixels. Averaging over axis 1 mixes the channels of one image.",
    section=f"{PAGE}#statistics-per-channel",
)
class BatchNorm2d_channel_axis(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=1, keepdim=True), x.var(dim=1, keepdim=True, correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * x.mean(dim=(0, 2, 3)))
                    self.running_var.copy_((1 - m) * self.running_var + m * x.var(dim=(0, 2, 3)))
        else:
            mean, var = self.running_mean[:, None, None], self.running_var[:, None, None]
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="adds eps outside the square root",
    hint="eps is added to the variance, under the square root: divide by sqrt(var + eps), which matters "
    "for channels whose variance is close to 0.",
    section=f"{PAGE}#where-eps-goes",
)
class BatchNorm2d_eps_outside_sqrt(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / (torch.sqrt(var[:, None, None]) + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="weight and bias swapped (bias scales, weight shifts)",
    hint="weight is gamma, the scale, and bias is beta, the shift: y = weight * x_hat + bias, with x_hat "
    "the normalized input.",
    section=f"{PAGE}#normalize-then-scale-and-shift",
)
class BatchNorm2d_weight_bias_swapped(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.bias[:, None, None] + self.weight[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="training mode normalizes with the running estimates",
    hint="In training mode the layer normalizes with the mean and variance of the batch itself; the "
    "running estimates only follow them, for eval mode.",
    section=f"{PAGE}#training-and-evaluation",
)
class BatchNorm2d_running_stats_in_training(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
        if self.track_running_stats:
            if self.training:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="momentum weights the old estimate (the reversed convention)",
    hint="In PyTorch, momentum is the weight of the new batch statistic: new = (1 - momentum) * old + "
    "momentum * batch, so with the default 0.1 the running estimates move a tenth of the way.",
    section=f"{PAGE}#the-momentum-convention",
)
class BatchNorm2d_momentum_reversed(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_(m * self.running_mean + (1 - m) * mean)
                    self.running_var.copy_(m * self.running_var + (1 - m) * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="stores the biased variance in running_var",
    hint="The output is normalized with the biased batch variance, but PyTorch's running_var moves towards "
    "the unbiased one, divided by n - 1, with n = N * H * W values per channel.",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
class BatchNorm2d_biased_running_var(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="corrects the variance with N / (N - 1) instead of n / (n - 1), n = N * H * W",
    hint="Each channel of an image batch has n = N * H * W values, and the unbiased variance divides their "
    "squared deviations by n - 1, not by N - 1.",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
class BatchNorm2d_bessel_with_N(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                N = x.shape[0]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * N / (N - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="updates the running estimates in eval mode too",
    hint="Evaluation must not change the layer: in eval mode it normalizes with its running estimates and "
    "leaves them as they are.",
    section=f"{PAGE}#training-and-evaluation",
)
class BatchNorm2d_updates_in_eval(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
        if self.track_running_stats:
            if not self.training:
                mean, var = self.running_mean.clone(), self.running_var.clone()
            else:
                self.num_batches_tracked += 1
            m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
            with torch.no_grad():
                self.running_mean.copy_((1 - m) * self.running_mean + m * x.mean(dim=(0, 2, 3)))
                self.running_var.copy_((1 - m) * self.running_var + m * x.var(dim=(0, 2, 3)))
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="never counts the training steps in num_batches_tracked",
    hint="num_batches_tracked counts the training batches that went into the running estimates: add 1 in "
    "every training-mode forward pass (and none in eval mode).",
    section=f"{PAGE}#the-module-and-its-state",
)
class BatchNorm2d_never_counts(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))
            self.steps = 0

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.steps += 1
                m = 1 / self.steps if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="treats the batch mean and variance as constants (detached)",
    hint="The output is right but its gradient with respect to x is not, as when the batch mean and variance "
    "are treated as constants (detached): they depend on x, and the gradient must flow through them too.",
    section=f"{PAGE}#training-and-evaluation",
)
class BatchNorm2d_detached_stats(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)).detach(), x.var(dim=(0, 2, 3), correction=0).detach()
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.numel() // x.shape[1]
                self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


@mistake(
    "BatchNorm2d",
    summary="subclasses nn.BatchNorm2d instead of writing the layer",
    hint="The exercise is to write the layer from scratch as an nn.Module; PyTorch's BatchNorm2d is "
    "what the checks compare it with.",
)
class BatchNorm2d_builtin(nn.BatchNorm2d):
    pass


@breaks("BatchNorm2d", "dtype")
class BatchNorm2d_float32_output(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        out = torch.empty(x.shape, device=x.device)
        update = self.training and self.track_running_stats
        if update:
            self.num_batches_tracked += 1
            m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
        for c in range(x.shape[1]):
            xc = x[:, c]
            if self.training or not self.track_running_stats:
                mean, var = xc.mean(), xc.var(correction=0)
                if update:
                    with torch.no_grad():
                        self.running_mean[c] = (1 - m) * self.running_mean[c] + m * mean
                        self.running_var[c] = (1 - m) * self.running_var[c] + m * xc.var()
            else:
                mean, var = self.running_mean[c], self.running_var[c]
            yc = (xc - mean) / torch.sqrt(var + self.eps)
            out[:, c] = yc * self.weight[c] + self.bias[c] if self.affine else yc
        return out


@breaks("BatchNorm2d", "device")
class BatchNorm2d_ones_on_the_default_device(nn.Module):
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
        ones = torch.ones(self.num_features, dtype=x.dtype)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else torch.zeros_like(ones)
        if not self.track_running_stats:
            Y, _, _ = batch_norm(x, gamma, beta, torch.zeros_like(ones), ones, True)
            return Y
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x,
            gamma,
            beta,
            self.running_mean,
            self.running_var,
            self.training,
            0.0 if momentum is None else momentum,
            self.eps,
        )
        return Y


@breaks("BatchNorm2d", "unchanged")
class BatchNorm2d_output_into_x(nn.Module):
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
        beta = self.bias if self.affine else torch.zeros_like(ones)
        if not self.track_running_stats:
            Y, _, _ = batch_norm(x, gamma, beta, torch.zeros_like(ones), ones, True)
            return x.copy_(Y)
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x,
            gamma,
            beta,
            self.running_mean,
            self.running_var,
            self.training,
            0.0 if momentum is None else momentum,
            self.eps,
        )
        return x.copy_(Y)


@breaks("BatchNorm2d", "differentiable")
class BatchNorm2d_forward_without_grad(nn.Module):
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

    @torch.no_grad()
    def forward(self, x):
        ones = torch.ones(self.num_features, dtype=x.dtype, device=x.device)
        gamma = self.weight if self.affine else ones
        beta = self.bias if self.affine else torch.zeros_like(ones)
        if not self.track_running_stats:
            Y, _, _ = batch_norm(x, gamma, beta, torch.zeros_like(ones), ones, True)
            return Y
        momentum = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1 / self.num_batches_tracked.item()
        Y, self.running_mean, self.running_var = batch_norm(
            x,
            gamma,
            beta,
            self.running_mean,
            self.running_var,
            self.training,
            0.0 if momentum is None else momentum,
            self.eps,
        )
        return Y


@breaks("BatchNorm2d", "from scratch")
class BatchNorm2d_functional(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        m = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if self.momentum is None:
                m = 1 / self.num_batches_tracked.item()
        use_batch = self.training or not self.track_running_stats
        running = (self.running_mean, self.running_var) if self.track_running_stats else (None, None)
        return F.batch_norm(x, *running, self.weight, self.bias, use_batch, m, self.eps)


@breaks("BatchNorm2d", "non-square")
class BatchNorm2d_square_images(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, x):
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                n = x.shape[0] * x.shape[2] ** 2  # N images of H x H pixels
                with torch.no_grad():
                    self.running_mean.copy_((1 - m) * self.running_mean + m * mean)
                    self.running_var.copy_((1 - m) * self.running_var + m * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return y * self.weight[:, None, None] + self.bias[:, None, None] if self.affine else y


# ---------------------------------------------------------------------------------------
# layer_norm

OTHER_NORMS = f"{PAGE}#layer-group-and-instance-normalization"


@mistake(
    "layer_norm",
    summary="divides the variance by n - 1 (unbiased)",
    hint="The outputs are too small in size, by the factor sqrt((n - 1) / n) for n values per sample: "
    "like batch normalization, layer normalization divides by the biased variance (Tensor.var divides by "
    "n - 1 unless told correction=0).",
    section=f"{PAGE}#biased-and-unbiased-variance",
)
def layer_norm_unbiased(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    y = (x - x.mean(dim=dims, keepdim=True)) / torch.sqrt(x.var(dim=dims, keepdim=True) + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


@mistake(
    "layer_norm",
    summary="normalizes over the batch axis (batch normalization)",
    hint="Each feature came out normalized across the samples of the batch, which is batch normalization: "
    "layer normalization takes the statistics of each sample on its own, over its trailing "
    "normalized_shape dims, so it works for a batch of one and does not mix samples.",
    section=OTHER_NORMS,
)
def layer_norm_over_batch(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


@mistake(
    "layer_norm",
    summary="adds eps to the standard deviation instead of the variance",
    hint="The values are close but off where the variance is small or eps large: eps goes inside the square "
    "root, (x - mean) / sqrt(var + eps), as in F.layer_norm and batch normalization.",
    section=f"{PAGE}#where-eps-goes",
)
def layer_norm_eps_outside_sqrt(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (x - mean) / (torch.sqrt(var) + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


@mistake(
    "layer_norm",
    summary="normalizes over the last dim only, whatever normalized_shape says",
    hint="With a normalized_shape of two or more dims the statistics came out per row of the last dim: they "
    "are taken over all the trailing dims that normalized_shape names, e.g. (C, H, W) for a whole image.",
    section=OTHER_NORMS,
)
def layer_norm_last_dim_only(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


@mistake(
    "layer_norm",
    summary="ignores weight and bias",
    hint="The output is the plain normalized x, as if weight were 1 and bias 0: when they are given, scale "
    "by weight and shift by bias, element by element over the normalized_shape dims.",
    section=OTHER_NORMS,
)
def layer_norm_affine_ignored(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


@mistake(
    "layer_norm",
    summary="calls the built-in F.layer_norm",
    hint="The exercise is from scratch; F.layer_norm is what the check compares with.",
    section=OTHER_NORMS,
)
def layer_norm_builtin(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return F.layer_norm(x, shape, weight, bias, eps)


@breaks("layer_norm", "dtype")
def layer_norm_in_float32(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    x32 = x.float()
    mean = x32.mean(dim=dims, keepdim=True)
    var = ((x32 - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (x32 - mean) / torch.sqrt(var + eps)
    y = y if weight is None else y * weight.float()
    return y if bias is None else y + bias.float()


@breaks("layer_norm", "device")
def layer_norm_ones_on_the_default_device(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    shape = x.shape[len(x.shape) - len(dims) :]
    weight = torch.ones(shape, dtype=x.dtype) * (1 if weight is None else weight)
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps) * weight
    return y if bias is None else y + bias


@breaks("layer_norm", "unchanged")
def layer_norm_centres_x_in_place(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    x = x.sub_(x.mean(dim=dims, keepdim=True))
    y = x / torch.sqrt((x**2).mean(dim=dims, keepdim=True) + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


@breaks("layer_norm", "differentiable")
def layer_norm_of_the_data(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    x = x.detach()
    dims = tuple(range(-(1 if isinstance(normalized_shape, int) else len(normalized_shape)), 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    y = y if weight is None else y * weight.detach()
    return y if bias is None else y + bias.detach()


@breaks("layer_norm", "from scratch")
def layer_norm_module(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    module = nn.LayerNorm(normalized_shape, eps=eps, elementwise_affine=False)
    y = module(x)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias
