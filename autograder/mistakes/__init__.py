"""The course's knowledge of mistakes: realistic wrong answers to every graded exercise.

Each chapter module defines wrong implementations decorated with :func:`mistake`. The
tests submit each one (in place of the solution) and require that it loses points; the
``hint`` is what a student who made this mistake should read (one or two sentences, no
solution code); ``section``, when given, is where the book explains the point: a chapter's
page name and the anchor of a heading, e.g. ``"ch02-cross-correlation#the-kernel-flip"``.
"""

import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """One realistic wrong answer to the exercise ``exercise``."""

    exercise: str
    name: str
    summary: str
    hint: str
    function: Callable
    section: str | None = None

    @property
    def source(self) -> str:
        """Notebook cell source that defines ``exercise`` as this wrong implementation."""
        lines = textwrap.dedent(inspect.getsource(self.function)).splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("def ", "class ")))
        body = "\n".join(lines[start:])
        header = "import torch\nimport torch.nn.functional as F\nfrom torch import nn"
        return f"{header}\n\n{body}\n\n{self.exercise} = {self.function.__name__}\n"


_REGISTRY: list[Mistake] = []


def mistake(exercise: str, summary: str, hint: str, section: str | None = None) -> Callable[[Callable], Callable]:
    """Register the decorated function (or class) as a wrong answer to ``exercise``."""

    def register(function: Callable) -> Callable:
        _REGISTRY.append(Mistake(exercise, function.__name__, summary, hint, function, section))
        return function

    return register


def all_mistakes() -> list[Mistake]:
    """Every registered mistake, after importing all chapter modules of this package."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return list(_REGISTRY)


def mistakes_for(exercise: str) -> list[Mistake]:
    """The registered mistakes of one exercise."""
    return [m for m in all_mistakes() if m.exercise == exercise]
