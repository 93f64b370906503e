"""Read the answer cells' code for tampering with the grader, before it runs.

A second line beside :mod:`autograder.instructors.grading.integrity`: it sees through code that
restores what it patched, but not through code that hides its intent (``exec`` of a
built string, ``getattr`` chains). Every finding is one sentence naming the line.
"""

import ast
import re

TRUSTED_ROOTS = {"torch", "F", "nn", "autograder", "IPython", "ipykernel", "sys", "os", "builtins", "np", "numpy"}
SHELL_HOOKS = {
    "set_custom_exc",
    "register",
    "set_hook",
    "ast_transformers",
    "input_transformers_post",
    "showtraceback",
    "_showtraceback",
    "run_cell",
    "run_code",
    "excepthook",
}
RISKY_CALLS = {
    "setattr": "sets an attribute by name",
    "delattr": "deletes an attribute by name",
    "settrace": "installs a trace function",
    "setprofile": "installs a profile function",
    "_exit": "ends the kernel with os._exit",
    "reload": "reloads a module",
}
COURSE_FILES = re.compile(r"gradebook|(^|/)(submitted|autograded|feedback|solutions|source)(/|$)|\.\./")
_MAGIC = re.compile(r"^\s*[%!].*$", re.MULTILINE)


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return "?"


class _Finder(ast.NodeVisitor):
    def __init__(self, modules: set[str]) -> None:
        self.modules = modules
        self.findings: list[str] = []

    def _note(self, node: ast.AST, what: str) -> None:
        self.findings.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def _is_grader_object(self, target: ast.AST) -> bool:
        """Whether ``target`` hangs off a module or IPython (not off ``self`` or a local)."""
        root = _root(target)
        if isinstance(root, ast.Name):
            return root.id in self.modules or root.id in {"get_ipython", "__builtins__"}
        return False

    def _targets(self, node, targets) -> None:
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Attribute, ast.Subscript)) and self._is_grader_object(part):
                    self._note(node, f"changes {_dotted(part)}")
                    break

    def visit_Assign(self, node):
        self._targets(node, node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._targets(node, [node.target])
        self.generic_visit(node)

    def visit_Delete(self, node):
        self._targets(node, node.targets)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        on_grader = bool(node.args) and self._is_grader_object(node.args[0])
        if name in RISKY_CALLS and (name not in ("setattr", "delattr") or on_grader):
            self._note(node, f"{RISKY_CALLS[name]} ({_dotted(node.func)})")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in SHELL_HOOKS and self._is_grader_object(node):
            self._note(node, f"reaches IPython's handling of cells ({_dotted(node)})")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and COURSE_FILES.search(node.value):
            self._note(node, f"refers to the course's files ({node.value!r})")


def imported_names(tree: ast.AST) -> set[str]:
    """Names bound by ``import`` statements (modules and what is taken from them)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


def scan(sources: dict[str, str]) -> list[str]:
    """Findings in the answer cells ``{grade_id: source}``, each prefixed by its cell."""
    trees = {}
    for grade_id, source in sources.items():
        try:
            trees[grade_id] = ast.parse(_MAGIC.sub("", source))
        except SyntaxError:
            continue
    modules = TRUSTED_ROOTS | {name for tree in trees.values() for name in imported_names(tree)}
    findings = []
    for grade_id, tree in trees.items():
        finder = _Finder(modules)
        finder.visit(tree)
        findings += [f"{grade_id}, {finding}" for finding in dict.fromkeys(finder.findings)]
    return findings
