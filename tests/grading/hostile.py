"""Broken and hostile submissions, each with the reason the grading summary must give.

Every case starts from the released notebook of ch01_autograd (a blank exercise deserves
zero points) and breaks it or adds hostile code to its answer cell, after which the
answer is a wrong ``vjp``: any point it earns is undeserved. ``reason`` is a piece of
the summary's reason; None means the sandbox stops the attack silently and
``output`` is what the student's own cell then shows (the hidden course folder gives
``FileNotFoundError: [Errno 2]``, or ``PermissionError: [Errno 13]`` when a folder on
the way is closed to others; a full private /tmp, ``No space left on device``).
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.instructors.submissions import fill, nbgrader_meta

ASSIGNMENT = "ch01_autograd"
WRONG = "\n\ndef vjp(f, x, v):\n    return x\n"


@dataclass(frozen=True)
class Case:
    """One hostile student: what it does, how its folder is built, what the summary must say."""

    name: str
    does: str
    files: Callable[[nbformat.NotebookNode, Path], dict[str, str]]
    status: str
    reason: str | None
    output: str | None = None


def notebook(nb: nbformat.NotebookNode, name: str = f"{ASSIGNMENT}.ipynb") -> dict[str, str]:
    return {name: nbformat.writes(nb)}


def answer(code: str) -> Callable:
    """A case whose answer cell runs ``code`` and then defines a wrong vjp."""
    return lambda release, root: notebook(fill(release, {"vjp": code.format(root=root) + WRONG}))


def edit_test_cells(change: Callable[[dict], None]) -> Callable:
    """A case that applies ``change`` to the metadata and source of each test cell."""

    def build(release, root):
        nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
                change(cell)
        return notebook(nb)

    return build


def _rename(cell) -> None:
    cell.metadata.nbgrader["grade_id"] += "_mine"


def _points(cell) -> None:
    cell.metadata.nbgrader["points"] = 100


def _edit(cell) -> None:
    cell.source = "print('all good')"


# Writes 4 MB files, up to 1 GB, to /tmp and then /dev/shm, until a write fails.
FILL_TMP = """import os
for folder in ('/tmp', '/dev/shm'):
    try:
        for number in range(256):
            with open(os.path.join(folder, 'fill-%d' % number), 'wb') as file:
                file.write(bytes(2**22))
    except OSError as error:
        print(folder, error)"""


def read_source_quietly(release, root):
    """Reads the source notebook through a path spelled in base64, which the scan cannot see."""
    encoded = base64.b64encode(f"{root}/solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb".encode()).decode()
    code = f"import base64\npath = base64.b64decode({encoded!r}).decode()\nprint(open(path).read())"
    return notebook(fill(release, {"vjp": code + WRONG}))


def deleted_test_cells(release, root):
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    nb.cells = [cell for cell in nb.cells if not nbgrader_meta(cell).get("grade") or cell.cell_type != "code"]
    return notebook(fill(nb, {"vjp": WRONG}))


CASES = [
    Case(
        "invalid-json",
        "hands in a file that is not JSON",
        lambda r, root: {f"{ASSIGNMENT}.ipynb": "{ not json"},
        "failed",
        "is not a valid notebook",
    ),
    Case(
        "missing-notebook",
        "hands in no notebook at all",
        lambda r, root: {"notes.txt": "sorry"},
        "failed",
        "is missing",
    ),
    Case(
        "renamed-notebook",
        "renames the notebook",
        lambda r, root: notebook(r, "my-work.ipynb"),
        "failed",
        "missing (found: my-work.ipynb)",
    ),
    Case("deleted-test-cells", "deletes the test cells", deleted_test_cells, "graded", "was deleted: added back"),
    Case("edited-test-cells", "replaces the test cells' code", edit_test_cells(_edit), "graded", "was edited"),
    Case(
        "changed-points",
        "gives each test cell 100 points",
        edit_test_cells(_points),
        "graded",
        "points changed in the submission",
    ),
    Case(
        "changed-grade-id",
        "renames the test cells' grade_id",
        edit_test_cells(_rename),
        "graded",
        "was deleted: added back",
    ),
    Case("infinite-loop", "loops forever", answer("while True:\n    pass"), "timed out", "cell timeout"),
    Case(
        "c-loop",
        "sleeps in C with SIGINT ignored",
        answer("import ctypes, signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nctypes.CDLL(None).sleep(10**6)"),
        "killed",
        "ignored the interrupt",
    ),
    Case(
        "memory-bomb",
        "allocates memory until none is left",
        answer("chunks = []\nwhile True:\n    chunks.append(bytearray(2**26))"),
        "killed",
        "memory cap",
    ),
    Case("os-exit", "kills its own kernel with os._exit", answer("import os\nos._exit(3)"), "flagged", "kernel died"),
    Case("sys-exit", "calls sys.exit()", answer("import sys\nsys.exit(0)"), "graded", "called sys.exit()"),
    Case(
        "output-flood",
        "prints megabytes",
        answer("for _ in range(3000):\n    print('x' * 2000)"),
        "graded",
        "printed more than",
    ),
    Case("input", "waits for input()", answer("name = input('Your name? ')"), "graded", "input()"),
    Case(
        "patch-torch",
        "makes torch's comparisons always pass",
        answer(
            "import torch\ntorch.allclose = lambda *a, **k: True\ntorch.testing.assert_close = lambda *a, **k: None"
        ),
        "flagged",
        "changes torch.allclose",
    ),
    Case(
        "patch-autograder",
        "replaces the course's checks",
        answer(
            "import autograder.chapters.ch01_autograd.checks as checks\n"
            "import autograder.chapters.ch01_autograd.hidden as hidden\n"
            "checks.check_vjp = hidden.grade_vjp = print"
        ),
        "flagged",
        "changes checks.check_vjp",
    ),
    Case(
        "patch-autograder-exec",
        "replaces the checks from a string the scan cannot read",
        answer(
            "exec('import autograder.chapters.ch01_autograd.checks as c\\n"
            "import autograder.chapters.ch01_autograd.hidden as h\\nc.check_vjp = h.grade_vjp = print')"
        ),
        "flagged",
        "replaced autograder.chapters.ch01_autograd.hidden.grade_vjp",
    ),
    Case(
        "patch-compare-exec",
        "replaces the course's comparison from a string",
        answer("exec('import autograder.runtime.compare as c\\nc.assert_matches = lambda *a, **k: None')"),
        "flagged",
        "replaced autograder.runtime.compare.assert_matches",
    ),
    Case(
        "exception-hooks",
        "silences errors with IPython's custom exception hook",
        answer("get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)"),
        "flagged",
        "reaches IPython's handling of cells",
    ),
    Case(
        "exception-hooks-exec",
        "silences errors from a string the scan cannot read",
        answer("exec('get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)')"),
        "flagged",
        "replaced shell hooks.custom_exceptions",
    ),
    Case(
        "write-gradebook",
        "writes to the gradebook",
        answer("try:\n    open('{root}/gradebook.db', 'a').write('x')\nexcept OSError:\n    pass"),
        "flagged",
        "refers to the course's files",
    ),
    Case(
        "write-other-student",
        "overwrites another student's submission",
        answer(
            "try:\n    open('{root}/submitted/solution/ch01_autograd/ch01_autograd.ipynb', 'w').write('')\n"
            "except OSError:\n    pass"
        ),
        "flagged",
        "refers to the course's files",
    ),
    Case(
        "read-hidden-checks",
        "prints the source notebook with the hidden tests",
        answer(
            "try:\n    print(open('{root}/solutions/ch01_autograd/ch01_autograd.ipynb').read())\n"
            "except OSError:\n    pass"
        ),
        "flagged",
        "refers to the course's files",
    ),
    Case(
        "read-hidden-checks-quietly",
        "reads the source notebook by a path the scan cannot see",
        read_source_quietly,
        "graded",
        None,
        "[Errno ",
    ),
    Case(
        "network",
        "opens a connection to the internet",
        answer("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=3)"),
        "graded",
        None,
        "Network is unreachable",
    ),
    Case(
        "fill-tmp",
        "writes large files to /tmp and /dev/shm until a write fails",
        answer(FILL_TMP),
        "graded",
        None,
        "No space left on device",
    ),
]
