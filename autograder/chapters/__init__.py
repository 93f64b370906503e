"""The chapters of the course: one package per chapter key ``chNN_topic``.

Each holds the chapter's visible ``checks`` (``check_X``) with their ``recorded.pt`` (the
reference results and known mistakes they need, as data), and on the instructors' side its
``reference`` implementations, its ``hidden`` checks (``grade_X``), its known ``mistakes``
and its book ``figures``. The same key names the book page (``book/chNN_topic.md``) and
the assignment (``solutions/chNN_topic/``).
"""

import importlib
import pkgutil
import re
from types import ModuleType

from autograder.runtime.mistakes import Mistake, Variant, mistakes_in, variants_in

KEYS = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"ch\d\d_\w+", m.name)))


def part(key: str, name: str) -> ModuleType:
    """The module ``name`` (``checks``, ``hidden``, ``reference``, ``mistakes``, ``figures``) of chapter ``key``."""
    return importlib.import_module(f"{__name__}.{key}.{name}")


def all_mistakes() -> list[Mistake]:
    """Every chapter's known mistakes, chapter by chapter."""
    return [m for key in KEYS for m in mistakes_in(part(key, "mistakes"))]


def all_variants() -> list[Variant]:
    """Every chapter's property-breaking variants (in its ``mistakes`` module), chapter by chapter."""
    return [v for key in KEYS for v in variants_in(part(key, "mistakes"))]


def mistakes_for(exercise: str) -> list[Mistake]:
    """The known mistakes of one exercise."""
    return [m for m in all_mistakes() if m.exercise == exercise]


def chapter_of(mistake: Mistake | Variant) -> str:
    """The key of the chapter a mistake belongs to."""
    return mistake.function.__module__.split(".")[2]
