"""References for chapter 3 (a convolutional layer that learns)."""

import torch
import torch.nn.functional as F
from torch import nn


class Conv2D(nn.Module):
    """A one-channel 2-D convolutional layer: ``corr2d(x, weight) + bias``."""

    def __init__(self, kernel_size: tuple[int, int]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Cross-correlate ``x`` (H, W) with the weight and add the bias."""
        return F.conv2d(x[None, None], self.weight[None, None], self.bias)[0, 0]


def layer_output(X: torch.Tensor, K: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """What a :class:`Conv2D` holding the weight ``K`` and the bias ``b`` maps ``X`` to (the
    visible checks' recorded expectation: a tensor, where a layer could not be recorded)."""
    return F.conv2d(X[None, None], K[None, None], b)[0, 0]


def make_stripe_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The 6x8 image with a dark vertical stripe in columns 2..5, and its 6x7 edge map."""
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = torch.zeros(6, 7)
    Y[:, 1] = 1
    Y[:, 5] = -1
    return X, Y


def fit(X, Y, kernel_size=(1, 2), steps=100, lr=0.01) -> tuple[Conv2D, list[float], list[torch.Tensor]]:
    """Fit a :class:`Conv2D` to map ``X`` to ``Y`` by gradient descent on the summed squared error.

    Returns the layer, the loss before each step and the kernel after each step (for the book's plots).
    """
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    losses, kernels = [], []
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
        losses.append(loss.item())
        kernels.append(layer.weight.detach().clone())
    return layer, losses, kernels


def learn_kernel(X, Y, kernel_size=(1, 2), steps=100, lr=0.01) -> torch.Tensor:
    """The kernel a :class:`Conv2D` learns in :func:`fit` (detached; ``X``'s dtype and device)."""
    return fit(X, Y, kernel_size, steps, lr)[0].weight.detach()


def receptive_field(kernel_sizes, strides=None) -> int:
    """Side of the input region that one output pixel of a stack of convolutions sees.

    Measured, not computed from a formula: the gradient of one output pixel of a stack
    of ``nn.Conv2d`` layers (all weights 1) is non-zero exactly on its receptive field.
    """
    strides = strides or [1] * len(kernel_sizes)
    side = 1
    for k, s in zip(reversed(kernel_sizes), reversed(strides)):
        side = (side - 1) * s + k  # the smallest input that yields one output pixel
    x = torch.zeros(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s in zip(kernel_sizes, strides):
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
    y[0, 0, -1, -1].backward()
    seen = x.grad[0, 0].abs().sum(dim=0).nonzero()
    return int(seen.max() - seen.min() + 1)


# ---------------------------------------------------------------------------------------
# Why learning the kernel converges (used by the checks of learn_kernel, its tests and the
# benchmark). The loss sum((corr2d(X, K) + b - Y) ** 2) is a least-squares problem in
# theta = (K flattened, b): row p of the design matrix A holds the window of X under
# output pixel p, then a 1 for the bias. Gradient descent with step lr maps the error
# theta - theta* to (I - lr H)(theta - theta*), with H = 2 A^T A the Hessian.


def design_matrix(X: torch.Tensor, kernel_size: tuple[int, int]) -> torch.Tensor:
    """The least-squares design matrix of a :class:`Conv2D` on ``X``: one row per output
    pixel, holding its window (flattened row by row) and a final 1 for the bias."""
    kh, kw = kernel_size
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1).reshape(-1, kh * kw)
    return torch.cat([windows, torch.ones(windows.shape[0], 1, dtype=X.dtype, device=X.device)], dim=1)


def hessian(X: torch.Tensor, kernel_size: tuple[int, int]) -> torch.Tensor:
    """Hessian ``2 A^T A`` (float64) of the summed squared error with respect to (kernel, bias)."""
    A = design_matrix(X.detach().to(torch.float64), kernel_size)
    return 2 * A.T @ A


def contraction(X: torch.Tensor, kernel_size: tuple[int, int], lr: float, steps: int) -> float:
    """``||(I - lr H)^steps||_2``: the factor by which ``steps`` steps of gradient descent
    with step size ``lr`` shrink, at least, the distance from any start to the minimiser.

    H is symmetric, so the norm is the largest ``|1 - lr * eigenvalue| ** steps``.
    """
    eigenvalues = torch.linalg.eigvalsh(hessian(X, kernel_size))
    return float((1 - lr * eigenvalues).abs().max()) ** steps
