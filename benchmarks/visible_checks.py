"""How long each visible check takes, as a student meets it: in a fresh kernel, first run included.

Each exercise notebook of ``exercises/`` runs with the instructor's answers pasted in, in a
fresh kernel on one CPU thread (a laptop's share), in the notebook's folder; every visible
test cell is timed. Prints a Markdown table, slowest first, for the students' page
(book/students.md, "How fast the checks are"). The course's promise: under a second each.

Usage (from the repository root)::

    .venv/bin/python benchmarks/visible_checks.py [KEY ...]
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder import chapters  # noqa: E402
from autograder.instructors.submissions import solved  # noqa: E402
from autograder.runtime.validate import HIDDEN_SUFFIX  # noqa: E402

LIMIT = 1.0  # seconds a visible check may take


def timed_checks(key: str) -> list[tuple[str, float]]:
    """``(grade_id, seconds)`` of each visible test cell of chapter ``key``'s solved exercise."""
    release = nbformat.read(REPO / "exercises" / key / f"{key}.ipynb", as_version=4)
    notebook = solved(release, nbformat.read(REPO / "solutions" / key / f"{key}.ipynb", as_version=4))
    client = NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(REPO / "exercises" / key)}})
    found = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            client.execute_cell(cell, index)
            seconds = time.perf_counter() - start
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta["grade_id"].endswith(HIDDEN_SUFFIX):
                found.append((meta["grade_id"], seconds))
    return found


def main(keys: list[str]) -> int:
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rows = sorted(((s, key, g) for key in keys or chapters.KEYS for g, s in timed_checks(key)), reverse=True)
    print("| chapter | visible check | seconds |\n|---|---|---|")
    for seconds, key, grade_id in rows:
        print(f"| {key} | `{grade_id}` | {seconds:.2f} |")
    slow = [g for s, _, g in rows if s >= LIMIT]
    print(f"\n{len(rows)} visible checks; slowest {rows[0][0]:.2f} s; over {LIMIT:g} s: {', '.join(slow) or 'none'}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
