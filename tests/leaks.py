"""Find answers in what students get: code near a solution, model written answers, hidden checks.

Code is compared as normalised token sequences, not lines: comments, docstrings and layout
are dropped, and every name that is not a keyword or an attribute becomes ``ID`` (numbers
``NUM``, strings ``STR``), so that a copy with other names, other spacing or one changed
token (a wrong answer is a solution with one edit) still matches. A function matches an
answer when difflib's similarity ratio of their bodies reaches :data:`NEAR`.
"""

import ast
import difflib
import io
import keyword
import re
import textwrap
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

# Bodies shorter than this many tokens (``return X.sum()``) say too little to tell an answer
# from any other code.
MIN_TOKENS = 12
# A reference this short is one call to the built-in the exercise rebuilds: students may have it.
MIN_REFERENCE_TOKENS = 30
NEAR = 0.85
# A model written answer leaks when one of its runs of this many words appears.
SHINGLE_WORDS = 8

_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


@dataclass(frozen=True)
class Body:
    """One function's (or class's) body as normalised tokens, and where it comes from."""

    where: str
    tokens: tuple[str, ...]


def normalised(source: str) -> tuple[str, ...]:
    """The tokens of ``source``, names (other than keywords and attributes) as ``ID``, literals
    as ``NUM`` and ``STR``, without comments, docstrings or layout."""
    tokens, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in _SKIP:
            continue
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string) and previous != ".":
            text = "ID"
        elif token.type == tokenize.NUMBER:
            text = "NUM"
        elif token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_START", -1):
            text = "STR"
        else:
            text = token.string
        tokens.append(text)
        previous = token.string
    return tuple(tokens)


def _without_docstring(node: ast.AST) -> list[ast.stmt]:
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    return body


_DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _definitions(tree: ast.AST, names: set[str] | None) -> Iterator[ast.AST]:
    """The definitions in ``tree``; with ``names``, those so named (a class with its methods)."""
    for node in ast.walk(tree):
        if isinstance(node, _DEFINITION) and (names is None or node.name in names):
            yield node
            if names is not None and isinstance(node, ast.ClassDef):
                yield from (child for child in node.body if isinstance(child, _DEFINITION))


def bodies(source: str, where: str, names: set[str] | None = None) -> Iterator[Body]:
    """Every function and class of ``source`` (a module or a notebook cell), or only those named
    in ``names`` (whole, with what they define inside), as :class:`Body` objects."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return
    for node in _definitions(tree, names):
        statements = _without_docstring(node)
        if statements:
            code = "\n".join(ast.unparse(statement) for statement in statements)
            yield Body(f"{where}: {node.name}", normalised(code))


def near_answers(candidates: list[Body], answers: list[Body]) -> list[tuple[str, str, float]]:
    """The pairs (candidate, answer, similarity) where a candidate is an answer or nearly one."""
    found = []
    answers = [a for a in answers if len(a.tokens) >= MIN_TOKENS]
    for candidate in candidates:
        if len(candidate.tokens) < MIN_TOKENS:
            continue
        for answer in answers:
            ratio = difflib.SequenceMatcher(None, candidate.tokens, answer.tokens, autojunk=False)
            if ratio.real_quick_ratio() >= NEAR and ratio.quick_ratio() >= NEAR and ratio.ratio() >= NEAR:
                found.append((candidate.where, answer.where, round(ratio.ratio(), 3)))
    return found


def words(text: str) -> list[str]:
    """The words of a text, lowercase, without markup or punctuation."""
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive words of ``text``."""
    found = words(text)
    return {tuple(found[i : i + size]) for i in range(len(found) - size + 1)}
