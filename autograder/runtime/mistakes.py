"""Known mistakes: realistic wrong answers to a graded exercise, each with a hint; and
property-breaking variants: answers right on the values that break a property the
exercise's text states (dtype kept, inputs unchanged, ...).

A chapter's ``mistakes`` module defines wrong implementations decorated with
:func:`mistake`. The tests submit each one (in place of the solution) and require that it
loses points; the ``hint`` is what a student who made this mistake should read (one or two
sentences, no solution code); ``section``, when given, is where the book explains the
point: a chapter key and the anchor of a heading, e.g. ``"ch02_cross_correlation#the-kernel-flip"``.
"""

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from autograder.runtime import sections


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
    def read_more(self) -> str | None:
        """Where the book explains the point, in words (None without a section, or without the book)."""
        found = sections.find(self.section) if self.section else None
        return found.describe() if found is not None else None

    @property
    def links(self) -> dict[str, str]:
        """Where the book explains the point, as links (see :meth:`.sections.Section.links`)."""
        found = sections.find(self.section) if self.section else None
        return found.links() if found is not None else {}

    @property
    def source(self) -> str:
        """Notebook cell source that defines ``exercise`` as this wrong implementation."""
        return cell_source(self.exercise, self.function)


@dataclass(frozen=True)
class Variant:
    """An answer to ``exercise`` that breaks the stated ``property`` (a key of
    :data:`autograder.runtime.properties.PHRASES`): a visible check must say so."""

    exercise: str
    name: str
    property: str
    function: Callable

    @property
    def source(self) -> str:
        """Notebook cell source that defines ``exercise`` as this variant."""
        return cell_source(self.exercise, self.function)


def cell_source(exercise: str, function: Callable) -> str:
    """Notebook cell source that defines ``exercise`` as ``function`` (a wrong answer)."""
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("def ", "class ")))
    body = "\n".join(lines[start:])
    header = "import torch\nimport torch.nn.functional as F\nfrom torch import nn"
    return f"{header}\n\n{body}\n\n{exercise} = {function.__name__}\n"


def mistake(exercise: str, summary: str, hint: str, section: str | None = None) -> Callable[[Callable], Callable]:
    """Mark the decorated function (or class) as a wrong answer to ``exercise``."""

    def register(function: Callable) -> Callable:
        function.__mistake__ = Mistake(exercise, function.__name__, summary, hint, function, section)
        return function

    return register


def breaks(exercise: str, property: str) -> Callable[[Callable], Callable]:
    """Mark the decorated function (or class) as an answer to ``exercise`` that breaks ``property``."""

    def register(function: Callable) -> Callable:
        function.__variant__ = Variant(exercise, function.__name__, property, function)
        return function

    return register


def variants_in(module: ModuleType) -> list[Variant]:
    """The property-breaking variants ``module`` defines, in the order it defines them."""
    return [
        value.__variant__
        for value in vars(module).values()
        if getattr(value, "__module__", None) == module.__name__ and hasattr(value, "__variant__")
    ]


def mistakes_in(module: ModuleType, exercise: str | None = None) -> list[Mistake]:
    """The mistakes ``module`` defines (of ``exercise`` if given), in the order it defines them."""
    found = [
        value.__mistake__
        for value in vars(module).values()
        if getattr(value, "__module__", None) == module.__name__ and hasattr(value, "__mistake__")
    ]
    return [m for m in found if exercise is None or m.exercise == exercise]
