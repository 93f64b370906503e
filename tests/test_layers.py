"""The package's three sides and their dependencies: the runtime imports neither the chapters nor the
instructors' tools, a chapter imports no instructors' tool and no other chapter's checks or mistakes,
what students install imports nothing else, and no two modules import each other, directly or
round a longer cycle."""

import ast
from pathlib import Path

import pytest

from autograder.instructors.edition import student_package_files

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"


def module_name(path: Path) -> str:
    """``autograder/runtime/calling.py`` -> ``autograder.runtime.calling`` (packages by their folder)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The course modules that ``path`` imports, at the top or inside a function."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return {name for name in found if name == "autograder" or name.startswith("autograder.")}


GRAPH = {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str:
    """The module an imported name lives in (``autograder.runtime.kit.as_pair`` -> ``autograder.runtime.kit``)."""
    while name not in GRAPH and "." in name:
        name = name.rpartition(".")[0]
    return name


EDGES = {module: {resolve(name) for name in names} - {module} for module, names in GRAPH.items()}


def side(module: str) -> str:
    """``runtime``, ``chapters``, ``instructors`` or the top (``autograder``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "top"


@pytest.mark.parametrize("module", sorted(m for m in EDGES if side(m) == "runtime"))
def test_runtime_imports_neither_chapters_nor_instructors(module):
    """The student's runtime is the lowest layer."""
    assert not {m for m in EDGES[module] if side(m) in ("chapters", "instructors")}, EDGES[module]


@pytest.mark.parametrize("module", sorted(m for m in EDGES if side(m) == "chapters"))
def test_a_chapter_builds_only_on_the_runtime_and_earlier_chapters(module):
    """A chapter builds on the runtime and on earlier chapters (their references, data and
    checks: chapter 12 trains with chapter 10's watched recipe); never on the instructors'
    tools, on another chapter's known mistakes, or on a later chapter."""
    own = module.split(".")[:3]
    for imported in EDGES[module]:
        assert side(imported) != "instructors", imported
        parts = imported.split(".")
        if side(imported) == "chapters" and len(parts) > 3 and parts[:3] != own:
            assert parts[2] < own[2], f"{module} imports the later chapter's {imported}"
            assert parts[3] != "mistakes", f"{module} imports {imported}"


def test_no_import_cycle():
    """No module reaches itself through the modules it imports."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(EDGES.get(module, ())):
            if state.get(imported) == "open":
                cycle = [*path[path.index(imported) :], imported]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(EDGES):
        if module not in state:
            visit(module, [module])


STUDENT_SIDE = {module_name(PACKAGE.parent / path) for path in student_package_files() if path.suffix == ".py"}


@pytest.mark.parametrize("module", sorted(STUDENT_SIDE))
def test_the_students_package_imports_only_itself(module):
    """What students install (autograder/instructors/edition: the runtime, the chapters' visible
    checks) imports no reference, hidden check, known mistake, figure or instructors' tool."""
    assert EDGES[module] <= STUDENT_SIDE, EDGES[module] - STUDENT_SIDE


def test_the_students_package_is_the_runtime_and_the_visible_checks():
    """The student side is the runtime and one checks module per chapter (the scan above has work)."""
    assert {"autograder.runtime.kit", "autograder.chapters.ch02_cross_correlation.checks"} <= STUDENT_SIDE
    chapter_parts = {m.split(".")[3] for m in STUDENT_SIDE if m.count(".") == 3 and ".chapters.ch" in m}
    assert chapter_parts <= {"checks", "data"}, chapter_parts
