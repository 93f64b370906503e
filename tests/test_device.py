"""Device selection: CUDA when present, else CPU, overridable by AUTOGRADER_DEVICE."""

import pytest
import torch

from autograder.runtime.device import ENV_VAR, DeviceError, device


def test_default_follows_cuda_availability(monkeypatch):
    """Without the variable, the device is CUDA exactly when PyTorch sees a GPU."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device() == torch.device("cpu")


def test_variable_forces_cpu_even_with_a_gpu(monkeypatch):
    """AUTOGRADER_DEVICE=cpu wins over an available GPU."""
    monkeypatch.setenv(ENV_VAR, "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device() == torch.device("cpu")


def test_variable_selects_a_gpu_by_index(monkeypatch):
    """AUTOGRADER_DEVICE=cuda:1 selects the second GPU when there are two."""
    monkeypatch.setenv(ENV_VAR, "cuda:1")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert device() == torch.device("cuda", 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("cuda", "asks for CUDA, but PyTorch sees no CUDA device here"),
        ("cuda:3", "asks for GPU 3, but only 1 GPU(s) are visible"),
        ("mps", "supports 'cpu' and 'cuda' devices only"),
        ("gpu please", "is not a device name"),
    ],
)
def test_impossible_requests_fail_with_a_reason(monkeypatch, value, message):
    """A device that cannot be used is refused with a message that says why."""
    monkeypatch.setenv(ENV_VAR, value)
    available = value != "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(DeviceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        device()


def test_choosing_the_device_turns_tf32_off(monkeypatch):
    """After device(), float32 convolutions and matrix products are computed in full precision on
    CUDA: the checks' float32 tolerance (1e-5) is far below TF32's error (about 1e-3)."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    saved = (
        torch.backends.cudnn.allow_tf32,
        torch.backends.cuda.matmul.allow_tf32,
        torch.get_float32_matmul_precision(),
    )
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True  # PyTorch's defaults on a GPU
    torch.set_float32_matmul_precision("high")
    try:
        device()
        assert torch.backends.cudnn.allow_tf32 is False
        assert torch.backends.cuda.matmul.allow_tf32 is False
        assert torch.get_float32_matmul_precision() == "highest"
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved[:2]
        torch.set_float32_matmul_precision(saved[2])
