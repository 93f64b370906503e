"""``cnn-course validate``: run an exercise notebook as the grader would, and say which checks fail.

For students, before they hand in (the students' package installs this command), and for
instructors (``cnn-course validate`` of the instructors' tools is this one). It needs no
course folder and no nbgrader: it runs the notebook in a fresh kernel in the notebook's own
folder, with every cell run even after a failure, and reads the outcome of each test cell
(the cells nbgrader grades, named by their ``grade_id``). A failing cell is printed with its
whole message, the hint included. Hidden test cells hold no checks in a student's copy:
they pass there and are counted apart.

Exit status: 0 when every test cell passes (with ``--invert``, when none does), else 1.
"""

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HIDDEN_SUFFIX = "_hidden_cases"  # the grade_id of a hidden test cell ends so (tests/test_notebooks.py)
CELL_TIMEOUT = 120  # seconds: chapter 10 trains a network in its hidden checks


@dataclass(frozen=True)
class Outcome:
    """One test cell after the run: its ``grade_id``, and its error (empty when it passed)."""

    grade_id: str
    error: str
    hidden: bool

    @property
    def passed(self) -> bool:
        return not self.error


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if meta.get("grade") and cell.cell_type == "code" else None


def _error(cell) -> str:
    """The error a cell's outputs hold, as plain text (without colour codes)."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            text = "\n".join(output.traceback) if len(output.traceback) == 1 else output.evalue
            text = text if text.strip() else f"{output.ename}: {output.evalue}"
            return re.sub(r"\x1b\[[0-9;]*m", "", text)
    return ""


def _kernel_manager(sockets: Path):
    """A Python kernel on Unix sockets where there are some (no TCP port to lose to another
    process, and no warning about unencrypted TCP)."""
    from jupyter_client.manager import KernelManager

    if os.name != "posix":
        return KernelManager(kernel_name="python3")
    return KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))


def run(path: Path, timeout: int = CELL_TIMEOUT) -> list[Outcome]:
    """Run the notebook at ``path`` in a fresh kernel (in its folder) and return its test cells' outcomes."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    previous = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "validate"  # plain-text messages, as in the feedback
    try:
        with tempfile.TemporaryDirectory() as sockets:
            kernel = _kernel_manager(Path(sockets))
            client = NotebookClient(
                notebook,
                km=kernel,
                timeout=timeout,
                allow_errors=True,
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
            finally:
                if kernel.has_kernel:
                    kernel.shutdown_kernel()
    finally:
        if previous is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = previous
    return [
        Outcome(grade_id, _error(cell), grade_id.endswith(HIDDEN_SUFFIX))
        for cell in notebook.cells
        if (grade_id := _grade_id(cell))
    ]


def report(path: Path, outcomes: list[Outcome]) -> str:
    """What a person reads: one line per test cell, and each failure's whole message below its name."""
    failed = [o for o in outcomes if not o.passed]
    lines = [f"{path}: {len(outcomes) - len(failed)} of {len(outcomes)} test cells pass"]
    for outcome in outcomes:
        mark = "ok    " if outcome.passed else "FAILED"
        lines.append(f"  {mark} {outcome.grade_id}")
        if not outcome.passed:
            lines += [f"      {line}" for line in outcome.error.splitlines()]
    return "\n".join(lines)


def validate(paths: list[Path], invert: bool = False, out=sys.stdout) -> int:
    """Run and report each notebook; the exit status (see the module's text)."""
    status = 0
    for path in paths:
        if not path.is_file():
            print(f"{path}: no such notebook", file=out)
            status = 1
            continue
        outcomes = run(path)
        print(report(path, outcomes), file=out)
        passed = [o for o in outcomes if o.passed and not o.hidden]
        failed = [o for o in outcomes if not o.passed]
        if (passed if invert else failed) or not outcomes:
            status = 1
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line of ``cnn-course validate``."""
    parser.add_argument("notebooks", nargs="+", type=Path, help="exercise notebooks (.ipynb)")
    parser.add_argument(
        "--invert", action="store_true", help="succeed only if no visible check passes (blank exercises)"
    )


def main(argv: list[str] | None = None) -> int:
    """``cnn-course`` of the students' package: ``validate NOTEBOOK...`` and ``lab-setup``."""
    from autograder.runtime import lab_setup

    parser = argparse.ArgumentParser(prog="cnn-course", description="The CNN course's commands for students.")
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("validate", help=__doc__.splitlines()[0]))
    setup = commands.add_parser("lab-setup", help=lab_setup.__doc__.splitlines()[0])
    setup.add_argument("--exchange", action="store_true", help="keep the assignment and course lists")
    args = parser.parse_args(argv)
    if args.command == "lab-setup":
        return lab_setup.set_up(args.exchange)
    return validate([p.resolve() for p in args.notebooks], args.invert)
