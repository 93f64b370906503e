"""The handwritten digits of chapter 10: scikit-learn's bundled 8x8 images, split once for everyone.

``sklearn.datasets.load_digits`` reads 1797 images that ship inside the scikit-learn
package, so nothing is downloaded. The book, the exercise notebook and the checks all call
:func:`digits_data`, so they train and test on the same images: a stratified split with a
fixed seed keeps 450 images (45 of each digit, near enough) for testing.

The visible check of ``train_digits`` trains on a small part of the split instead, which it
hands over through :func:`given`: inside that block, ``digits_data()`` returns it.
"""

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import torch

from autograder.runtime.device import device as course_device

TEST_SIZE = 450  # of the 1797 images; the other 1347 are for training
SPLIT_SEED = 0
PIXEL_MAX = 16.0  # the images hold integers 0..16 (ink counts of a 4x4 block of a 32x32 scan)


class Digits(NamedTuple):
    """The split: images (N, 1, 8, 8) float32 in [0, 1] and labels (N,) int64 (the digit 0..9)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


@functools.cache
def _arrays() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / PIXEL_MAX).astype(np.float32)
    return tuple(
        train_test_split(images, digits.target, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=digits.target)
    )


_given: contextvars.ContextVar[Digits | None] = contextvars.ContextVar("given_digits", default=None)


@contextlib.contextmanager
def given(split: Digits) -> Iterator[None]:
    """Inside the block, :func:`digits_data` returns copies of ``split`` (by default on the
    device ``split`` lives on): a check trains the student's ``train_digits`` on the images it chose."""
    token = _given.set(split)
    try:
        yield
    finally:
        _given.reset(token)


def digits_data(device: torch.device | str | None = None) -> Digits:
    """``(X_train, y_train, X_test, y_test)`` on ``device`` (default: the course device), or
    the split a :func:`given` block hands over.

    New tensors on every call, so changing them in place changes nobody else's copy.
    """
    split = _given.get()
    if split is not None:
        target = split.X_train.device if device is None else torch.device(device)
        return Digits(*(tensor.to(target, copy=True) for tensor in split))
    target = course_device() if device is None else torch.device(device)
    X_train, X_test, y_train, y_test = _arrays()
    images = (torch.tensor(X, device=target)[:, None] for X in (X_train, X_test))
    labels = (torch.tensor(y, dtype=torch.int64, device=target) for y in (y_train, y_test))
    (X_train, X_test), (y_train, y_test) = images, labels
    return Digits(X_train, y_train, X_test, y_test)
