"""Reference results and known mistakes as data, so that visible checks need no answer code.

A student's copy of the course holds no reference implementation and no wrong answer as
code (either would be an answer, or one edit away from one). A chapter's visible checks
take the values they compare with from :class:`Recorded`, a chapter's file of results
that the instructors' tools write (``cnn-course record``) by running the same checks
with the real references and every known mistake:

- ``expected.<name>(*args)`` returns what the reference ``<name>`` returned on equal
  arguments when the file was written;
- the chapter's visible checks are decorated with ``expected.diagnosed``: when one fails,
  the known mistakes that failed it with the same message, and gave the same results on
  every call, are named with their hints (see :mod:`autograder.runtime.diagnosis`).

Visible checks run on fixed inputs, from a fixed random state (:func:`fixed_random_state`),
so the arguments at a student's desk are the ones recorded. A file lies beside the checks
as ``recorded.pt``; it holds tensors, numbers and strings only, loaded with
``weights_only=True``.
"""

import contextlib
import contextvars
import functools
import random
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import torch

from autograder.runtime.cases import pinned_seed
from autograder.runtime.device import device

FILE_NAME = "recorded.pt"
VISIBLE_SEED = 0
_MISSING = "missing"


class RecordingMissing(RuntimeError):
    """A visible check asked for a result the chapter's file does not hold: a fault of the
    course (a stale file, or a check whose inputs are not fixed), never of the answer."""


# ---------------------------------------------------------------------------------------
# Values as data

_DTYPE, _NAMED, _OPAQUE = "__dtype__", "__named__", "__opaque__"


def stored(value):
    """``value`` as plain data: tensors detached on the CPU, containers rebuilt, dtypes, functions
    and classes named; anything else (a module instance) becomes an opaque marker that equals nothing."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, torch.dtype):
        return {_DTYPE: str(value).removeprefix("torch.")}
    if isinstance(value, (tuple, list)):
        return (list if isinstance(value, list) else tuple)(stored(v) for v in value)
    if isinstance(value, dict):
        return {k: stored(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
        return {_NAMED: f"{value.__module__}.{value.__qualname__}"}
    return {_OPAQUE: type(value).__qualname__}


def restored(value, on: torch.device):
    """Stored data back as values, its tensors on ``on``."""
    if isinstance(value, torch.Tensor):
        return value.to(on)
    if isinstance(value, (tuple, list)):
        return type(value)(restored(v, on) for v in value)
    if isinstance(value, dict):
        if _DTYPE in value:
            return getattr(torch, value[_DTYPE])
        return {k: restored(v, on) for k, v in value.items()}
    return value


def same(recorded, actual) -> bool:
    """Whether the value ``actual`` equals ``recorded`` (stored data): same structure and types,
    tensors of the same shape and dtype whose numbers agree within float tolerance, on any device."""
    if isinstance(recorded, torch.Tensor):
        return (
            isinstance(actual, torch.Tensor)
            and actual.shape == recorded.shape
            and actual.dtype == recorded.dtype
            and torch.allclose(actual.detach().cpu().double(), recorded.double(), rtol=1e-5, atol=1e-6, equal_nan=True)
        )
    if isinstance(recorded, (tuple, list)):
        return (
            isinstance(actual, (tuple, list))
            and len(actual) == len(recorded)
            and all(same(r, a) for r, a in zip(recorded, actual))
        )
    if isinstance(recorded, dict):
        if _OPAQUE in recorded:
            return False
        if _DTYPE in recorded or _NAMED in recorded:
            return stored(actual) == recorded
        return (
            isinstance(actual, dict)
            and actual.keys() == recorded.keys()
            and all(same(recorded[k], actual[k]) for k in recorded)
        )
    return type(actual) is type(recorded) and actual == recorded


def device_of(args) -> torch.device:
    """Where the first tensor among ``args`` lives (the course device when there is none)."""
    for value in args:
        if isinstance(value, torch.Tensor):
            return value.device
        if isinstance(value, (tuple, list)) and (tensors := [v for v in value if isinstance(v, torch.Tensor)]):
            return tensors[0].device
    return device()


@contextlib.contextmanager
def fixed_random_state() -> Iterator[None]:
    """Inside the block, Python's and torch's random numbers, and every
    :class:`~autograder.runtime.cases.Cases`, start from :data:`VISIBLE_SEED`;
    the caller's random state is back afterwards (a visible check does not disturb the
    notebook's own random numbers)."""
    state = random.getstate()
    devices = range(torch.cuda.device_count()) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices), pinned_seed(VISIBLE_SEED):
        random.seed(VISIBLE_SEED)
        torch.manual_seed(VISIBLE_SEED)
        try:
            yield
        finally:
            random.setstate(state)


# ---------------------------------------------------------------------------------------
# A chapter's file


@dataclass
class Call:
    """One call a visible check made, stored: its arguments and what came out of it."""

    args: tuple
    kwargs: dict
    outcome: object

    def matches(self, args: tuple, kwargs: dict) -> bool:
        """Whether this call had the arguments ``args`` and ``kwargs``."""
        return same(self.args, args) and same(self.kwargs, kwargs)


@dataclass
class RecordedMistake:
    """A known mistake as one visible check saw it: its texts, the check's failure message
    (without the traceback), and on each call of the answer the pair ``(mistake's outcome,
    reference's result)``, an outcome being ``("result", value)`` or ``("error", type name)``;
    ``read_more`` says where the book explains it, ``links`` links there (the book itself is
    not installed)."""

    exercise: str
    name: str
    summary: str
    hint: str
    read_more: str | None
    failure: str
    calls: list[Call] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)


def as_data(reference_calls: dict[str, list[Call]], mistakes: dict[str, list[RecordedMistake]]) -> dict:
    """A chapter's file contents as plain data (what ``torch.load(weights_only=True)`` reads)."""
    return {
        "reference": {name: [vars(c) for c in calls] for name, calls in reference_calls.items()},
        "mistakes": {
            check: [{**vars(m), "calls": [vars(c) for c in m.calls]} for m in found]
            for check, found in mistakes.items()
        },
    }


def from_data(data: dict) -> tuple[dict[str, list[Call]], dict[str, list[RecordedMistake]]]:
    """The reference calls and the mistakes of a chapter's file contents."""
    reference = {name: [Call(**c) for c in calls] for name, calls in data["reference"].items()}
    mistakes = {
        check: [RecordedMistake(**{**m, "calls": [Call(**c) for c in m["calls"]]}) for m in found]
        for check, found in data["mistakes"].items()
    }
    return reference, mistakes


_recording: contextvars.ContextVar[dict | None] = contextvars.ContextVar("recording", default=None)


class Recorded:
    """A chapter's recorded reference results and known mistakes (see the module's text).

    ``package`` is the chapter's package name (its checks pass ``__package__``); the file,
    ``recorded.pt`` in that package, is read on first use."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.path = Path(__file__).parents[1] / "chapters" / package.rsplit(".", 1)[-1] / FILE_NAME
        self._contents: tuple[dict, dict] | None = None

    def _read(self) -> tuple[dict[str, list[Call]], dict[str, list[RecordedMistake]]]:
        if self._contents is None:
            if not self.path.exists():
                raise RecordingMissing(
                    f"{self.path} is missing: the instructors' `cnn-course record` writes it. "
                    "This is a fault of the course, not of your answer."
                )
            self._contents = from_data(torch.load(self.path, map_location="cpu", weights_only=True))
        return self._contents

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self.result, name)

    def result(self, name: str, *args, **kwargs):
        """The reference ``name``'s result on these arguments: computed and noted while
        recording, else read back from the file."""
        session = _recording.get()
        if session is not None and session["package"] == self.package:
            value = getattr(session["reference"], name)(*args, **kwargs)
            session["reference_calls"].setdefault(name, []).append(Call(stored(args), stored(kwargs), stored(value)))
            return value
        for call in self._read()[0].get(name, []):
            if call.matches(args, kwargs):
                return restored(call.outcome, device_of(args))
        raise RecordingMissing(
            f"The course holds no recorded result of {name} for these inputs ({self.package}, "
            f"{FILE_NAME}). This is a fault of the course, not of your answer: please report it."
        )

    def mistakes(self, check: str) -> list[RecordedMistake]:
        """The known mistakes that fail the visible check ``check``."""
        return self._read()[1].get(check, [])

    @contextlib.contextmanager
    def recording(self, reference: ModuleType) -> Iterator[dict]:
        """Inside the block, ``expected.<name>(...)`` calls ``reference.<name>(...)`` and notes
        each call in the yielded session's ``reference_calls``."""
        session = {"package": self.package, "reference": reference, "reference_calls": {}}
        token = _recording.set(session)
        try:
            yield session
        finally:
            _recording.reset(token)
