"""Call a student's function and turn whatever it raises into a message a student can act on."""

import contextlib
import contextvars
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

from autograder.runtime.compare import CheckFailure
from autograder.runtime.guard import assert_from_scratch, recording, reference_calls

_HIDDEN_DIRS = (str(Path(__file__).parents[1]), str(Path(torch.__file__).parent))
_observer: contextvars.ContextVar[Callable | None] = contextvars.ContextVar("call_observer", default=None)


@contextlib.contextmanager
def observed(observer: Callable) -> Iterator[None]:
    """Inside the block, every :func:`call` first asks ``observer(fn, args, kwargs)`` for a
    witness: None, or an object whose ``settle(result=..., error=...)`` returns True when the
    check should go on with the witness's ``expected`` value instead (see the diagnosis)."""
    token = _observer.set(observer)
    try:
        yield
    finally:
        _observer.reset(token)


def _cell_name(filename: str) -> str:
    """A notebook cell's code as IPython's own tracebacks name it ("Cell In[3]"), not by the
    temporary file the kernel compiled it from; other files keep their name."""
    try:
        from IPython import get_ipython
    except ImportError:
        return filename
    shell = get_ipython()
    named = shell.compile.format_code_name(filename) if shell is not None else None
    return " ".join(named) if named else filename


def _student_frames(error: BaseException) -> str:
    """The traceback lines that point into the student's own code (the notebook), if any."""
    frames = [
        traceback.FrameSummary(_cell_name(frame.filename), frame.lineno, frame.name, line=frame.line)
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_HIDDEN_DIRS)
    ]
    return "".join(traceback.format_list(frames)).rstrip()


# PyTorch's errors that a student meets for one reason a sentence can give: (part of the message, explanation).
EXPLAINED = (
    (
        "leaf Variable that requires grad is being used in an in-place operation",
        "It changed its input in place, which the exercise forbids (and PyTorch refuses for an input "
        "that requires grad): compute the result into a new tensor instead.",
    ),
    (
        "Expected all tensors to be on the same device",
        "It mixed tensors on different devices: a tensor created without device=... lands on the "
        "CPU even when the inputs live on a GPU. Create new tensors on the input's device "
        "(device=X.device, or torch.zeros_like and friends).",
    ),
    (
        "Can't call numpy() on Tensor that requires grad",
        "A result computed through numpy is not differentiable: numpy arrays are outside "
        "PyTorch's autograd graph. Stay with tensor operations.",
    ),
)


def _explained(error: BaseException) -> str:
    """The explanation of ``error`` from :data:`EXPLAINED`, on a line of its own, or nothing."""
    return "".join(f"\n{why}" for part, why in EXPLAINED if part in str(error))


def call(fn, *args, what: str, from_scratch: tuple[str, ...] = (), blocks: bool = True, record: bool = True, **kwargs):
    """Return ``(fn(*args, **kwargs), ops)``: the result and the ATen operations it ran.

    Any exception becomes a :class:`CheckFailure` that names ``what`` and shows only the
    student's own traceback lines. Calling the course's reference implementations fails
    the check, and so, with ``from_scratch``, does calling one of those built-in families
    (see :data:`autograder.runtime.guard.BUILTINS`). With ``blocks=False`` (for the exercises that
    write them), so does calling the finished blocks of :mod:`autograder.runtime.blocks`.

    ``record=False`` records no operation (``ops`` is empty), for answers that run thousands
    of small ones and replace no built-in. An :func:`observed` block may watch every call.
    """
    if not callable(fn):
        raise CheckFailure(f"{what}: expected a function, found {type(fn).__name__}.")
    observer = _observer.get()
    pair = observer(fn, args, kwargs) if observer is not None else None
    watch = recording() if record else contextlib.nullcontext([])
    try:
        with watch as ops, reference_calls(blocks=not blocks) as references:
            result = fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailure(f"{what} raised NotImplementedError: replace it with your solution first.") from None
    except CheckFailure:
        raise
    except Exception as error:
        if pair is not None and pair.settle(error=error):
            return pair.expected, ops
        where = _student_frames(error)
        raise CheckFailure(
            f"{what} raised {type(error).__name__}: {error}{_explained(error)}"
            + (f"\nWhere, in your code:\n{where}" if where else "")
        ) from None
    if pair is not None and pair.settle(result):
        result = pair.expected
    if references:
        raise CheckFailure(
            f"{what} called the course's own implementation ({', '.join(sorted(references))}) "
            "from autograder. The exercise is to write it yourself."
        )
    if from_scratch:
        assert_from_scratch(ops, what, from_scratch)
    return result, ops
