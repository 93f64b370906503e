"""Where checks and reference implementations run: CUDA when present, else the CPU.

Set the environment variable ``AUTOGRADER_DEVICE`` (for example ``cpu``, ``cuda`` or
``cuda:1``) to force a device. Student code and the reference always receive inputs on
the same device, so a solution that hard-codes ``cpu`` or ``cuda`` is caught on a GPU.

Choosing the device also turns TF32 off: on NVIDIA GPUs since Ampere, PyTorch computes float32
convolutions in TF32 by default (about 1e-3 relative error), far above the checks' float32
tolerance, so a correct loop-based answer would fail against ``F.conv2d``. With TF32 off,
float32 on a GPU is as exact as on the CPU, and the tolerances hold on both.
"""

import os

import torch

ENV_VAR = "AUTOGRADER_DEVICE"


class DeviceError(RuntimeError):
    """The requested device does not exist on this machine."""


def full_precision() -> None:
    """Compute float32 convolutions and matrix products in full float32 precision, not TF32."""
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")


def device() -> torch.device:
    """Return the device the course uses: ``$AUTOGRADER_DEVICE``, else CUDA if available, else
    CPU, with TF32 off (:func:`full_precision`)."""
    full_precision()
    requested = os.environ.get(ENV_VAR, "").strip()
    if not requested:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(requested)
    except RuntimeError as error:
        raise DeviceError(f"{ENV_VAR}={requested!r} is not a device name such as 'cpu' or 'cuda:0'.") from error
    if chosen.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"{ENV_VAR}={requested!r} asks for CUDA, but PyTorch sees no CUDA device here.")
        if chosen.index is not None and chosen.index >= torch.cuda.device_count():
            raise DeviceError(
                f"{ENV_VAR}={requested!r} asks for GPU {chosen.index}, "
                f"but only {torch.cuda.device_count()} GPU(s) are visible."
            )
    elif chosen.type != "cpu":
        raise DeviceError(f"{ENV_VAR}={requested!r}: the course supports 'cpu' and 'cuda' devices only.")
    return chosen


def release_memory() -> None:
    """Free cached GPU memory (a no-op on the CPU), e.g. between graded submissions."""
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
