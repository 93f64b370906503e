"""A worker process: grades one submission at a time, always with a kernel ready.

The worker imports nbgrader once, starts a zygote, and keeps one pre-started kernel: when
a notebook takes it, the next one is forked at once and initialises while this notebook
runs. Each kernel serves exactly one notebook and is then destroyed. The worker only
reads a private copy of the gradebook; it sends graded notebooks back to the parent,
which alone writes the gradebook.
"""

import logging
import multiprocessing
import threading
import time
import traceback
import uuid
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
)

from autograder.instructors.grading import integrity, sandbox, scan
from autograder.instructors.grading.execute import STOPPED, LimitedExecute
from autograder.instructors.grading.kernels import KernelFactory
from autograder.instructors.grading.results import ERROR_REASONS, MESSAGE_REASONS, Job, NotebookResult, SubmissionResult
from autograder.instructors.submissions import nbgrader_meta

SANITIZE = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata)
FINISH = (IgnorePattern, ClearMetadataPreprocessor, LimitOutput)
_CHANGE = "Attribute '%s' for cell %s has changed! (should be: %s, got: %s)"


class _Edits(logging.Handler):
    """Turn nbgrader's warnings about a submission into reasons a person can read."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == _CHANGE and record.args[0] != "checksum":  # edits: see edited_cells()
            what, cell = record.args[0], record.args[1]
            self.reasons.append(f"cell {cell}: {what} changed in the submission: restored from the source")
        elif "Missing grade cell" in record.getMessage():
            cell = record.getMessage().split()[3]
            self.reasons.append(f"test cell {cell} was deleted: added back from the source")


class Watchdog(threading.Thread):
    """Kill the kernel when the notebook runs over the wall time or the memory cap."""

    def __init__(self, kernel, executor: LimitedExecute, limits) -> None:
        super().__init__(daemon=True)
        self.kernel, self.executor, self.limits = kernel, executor, limits
        self.done = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + self.limits.wall_time
        ceiling = self.kernel.memory() + self.limits.memory_bytes
        while not self.done.wait(0.2):
            if time.monotonic() > deadline:
                reason = f"the notebook ran over the {self.limits.wall_time} s wall time and its kernel was killed"
            elif self.kernel.memory() > ceiling:
                reason = f"its kernel went over the {self.limits.memory} MB memory cap and was killed"
            else:
                continue
            self.executor.stop_reason = reason
            self.kernel.kill()
            return


class Grader:
    """Everything one worker keeps between submissions."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.config = settings["config"]
        self.limits = settings["limits"]
        self.factory = KernelFactory(Path(settings["scratch"]), settings["hidden"], self.limits)
        self.warm = self.factory.start()

    def close(self) -> None:
        self.warm.destroy()
        self.factory.close()

    def _take_kernel(self):
        kernel, self.warm = self.warm, self.factory.start()
        return kernel

    def grade(self, job: Job) -> SubmissionResult:
        """Grade every notebook of one submission."""
        start = time.monotonic()
        result = job.result()
        present = sorted(path.name for path in job.folder.glob("*.ipynb"))
        for name in job.notebooks:
            notebook = NotebookResult(name)
            path = job.folder / f"{name}.ipynb"
            try:
                if not path.exists():
                    found = f" (found: {', '.join(present)})" if present else ""
                    notebook.note("failed", f"notebook {name}.ipynb is missing{found}: zero points")
                else:
                    self._grade_notebook(path, job, notebook)
            except Exception:
                notebook.note("failed", f"could not be graded: {_last_line()}")
            result.notebooks.append(notebook)
        result.seconds = time.monotonic() - start
        return result

    def _resources(self, job: Job, name: str) -> dict:
        return {
            "nbgrader": {
                "notebook": name,
                "assignment": job.assignment,
                "student": job.student,
                "db_url": self.settings["db_url"],
            },
            "files": list(job.files),
        }

    def _run(self, preprocessors, nb, resources, log=None):
        for preprocessor in preprocessors:
            options = {"log": log} if log else {}
            nb, resources = preprocessor(config=self.config, **options)(nb, resources)
        return nb, resources

    def _grade_notebook(self, path: Path, job: Job, result: NotebookResult) -> None:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as error:
            result.note(
                "failed",
                f"{path.name} is not a valid notebook ({type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''}): zero points",
            )
            return
        resources = self._resources(job, path.stem)
        sources = source_cells(self.settings["db_url"], job.assignment, path.stem)
        for cell in edited_cells(nb, sources):
            result.note("graded", f"cell {cell} was edited: the source's version was graded")
        for cell in strip_unknown(nb, sources):
            result.note("graded", f"cell {cell} is not in the source: graded as an ordinary cell")
        edits = _Edits()
        log = logging.getLogger(f"autograder.instructors.grading.{uuid.uuid4().hex}")
        log.addHandler(edits)
        log.propagate = False
        try:
            nb, resources = self._run(SANITIZE, nb, resources, log)
        except ValidationError as error:
            result.note("failed", f"its nbgrader metadata is corrupted ({error}): zero points")
            return
        for reason in edits.reasons:
            result.note("graded", reason)
        for cell in nb.cells:
            cell.setdefault("id", uuid.uuid4().hex[:8])  # cells nbgrader added back have none
        answers = {
            nbgrader_meta(c)["grade_id"]: c.source
            for c in nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")
        }
        findings = scan.scan(answers)
        nb = self._execute(nb, resources, result, findings)
        nb, resources = self._run(FINISH, nb, resources)
        if findings:
            result.note("flagged", "tampering with the grader: " + "; ".join(findings) + ": autograded points withheld")
            withhold(nb, findings)
        result.notebook = nbformat.writes(nb)

    def _execute(self, nb, resources, result: NotebookResult, findings: list[str]):
        nonce = uuid.uuid4().hex
        nb.cells.insert(0, integrity.first_cell())
        nb.cells.append(integrity.last_cell(nonce))
        config = self.config.copy()
        config.LimitedExecute.timeout = self.limits.cell_timeout  # config wins over arguments here
        config.LimitedExecute.output_limit = self.limits.output_bytes
        executor = LimitedExecute(config=config)
        kernel = self._take_kernel()
        kernel.provide([Path(p) for p in resources["files"]])
        watchdog = Watchdog(kernel, executor, self.limits)
        watchdog.start()
        try:
            nb, resources = executor.preprocess(nb, resources, km=kernel.manager)
        finally:
            watchdog.done.set()
            status = kernel.exit_status()
            if executor.kc is not None:
                executor.kc.stop_channels()
            kernel.destroy()
        nb.cells.pop(0)
        check = nb.cells.pop()
        executor.current -= 1  # the grader's first cell is gone
        report = integrity.parse(check.get("outputs", []), nonce)
        if executor.stopped:
            kind = "killed" if "killed" in executor.stopped or status is not None else "failed"
            died = "" if status is None else f" (exit status {status})"
            where = _label(nb, executor.current)
            result.note(kind, f"{executor.stopped}{died} in {where}: the cells after it score zero")
        elif report is None:
            findings.append("the grader's integrity check did not report (its output or code was replaced)")
        else:
            findings += [f"replaced {name}" for name in report["changed"]]
        explain_errors(nb, result, self.limits)
        if executor.truncated:
            result.note("graded", f"printed more than {self.limits.output} MB: the rest of the output was dropped")
        return nb


def _last_line() -> str:
    """The last line of the exception being handled."""
    return traceback.format_exc().strip().splitlines()[-1]


def _label(nb, index: int) -> str:
    """A cell's grade_id, else its position."""
    if 0 <= index < len(nb.cells) and nbgrader_meta(nb.cells[index]).get("grade_id"):
        return f"cell {nbgrader_meta(nb.cells[index])['grade_id']}"
    return f"cell {index + 1}"


def released(source: str) -> str:
    """A test cell's source as students receive it (hidden tests removed, as nbgrader does)."""
    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


def source_cells(db_url: str, assignment: str, name: str) -> dict[str, tuple[str, bool]]:
    """The source notebook's cells in the gradebook: ``{grade_id: (source, locked)}``."""
    with Gradebook(db_url) as gradebook:
        cells = gradebook.find_notebook(name, assignment).source_cells
        return {cell.name: (cell.source, cell.locked) for cell in cells}


def edited_cells(nb, sources: dict) -> list[str]:
    """grade_ids of the locked cells whose source differs from the released version."""
    edited = []
    for cell in nb.cells:
        source, locked = sources.get(nbgrader_meta(cell).get("grade_id"), ("", False))
        if locked and cell.source.strip() != released(source).strip():
            edited.append(nbgrader_meta(cell)["grade_id"])
    return edited


def strip_unknown(nb, sources: dict) -> list[str]:
    """Drop the nbgrader metadata of cells whose grade_id the source does not have (nbgrader
    0.9.6 fails on them when it adds the missing cells back); return their grade_ids."""
    unknown = []
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id is not None and grade_id not in sources:
            unknown.append(grade_id)
            del cell.metadata["nbgrader"]
    return unknown


def explain_errors(nb, result: NotebookResult, limits) -> None:
    """Reasons from the errors in the graded notebook (timeouts, memory, input(), sys.exit())."""
    values = {"cell_timeout": limits.cell_timeout, "memory": limits.memory}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error" or output.get("ename") == STOPPED:
                continue
            found = ERROR_REASONS.get(output.get("ename"))
            found = found or next((v for k, v in MESSAGE_REASONS.items() if k in output.get("evalue", "")), None)
            if found:
                result.note(found[0], found[1].format(**values))


def withhold(nb, findings: list[str]) -> None:
    """Give every autograded code cell an error, so that nbgrader scores it zero."""
    for cell in nb.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade"):
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename="GradingIntegrityError",
                    evalue="points withheld: " + "; ".join(findings),
                    traceback=["\x1b[0;31mGradingIntegrityError\x1b[0m: points withheld, see the instructor."],
                )
            )


def serve(settings: dict, jobs, results) -> None:
    """Worker process main: grade jobs from ``jobs`` until None arrives; die with the run."""
    sandbox.die_with_parent(multiprocessing.parent_process().pid)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    grader = Grader(settings)
    try:
        for job in iter(jobs.get, None):
            try:
                results.put(grader.grade(job))
            except Exception:
                results.put(
                    job.result([NotebookResult(n, status="failed", reasons=[_last_line()]) for n in job.notebooks])
                )
    finally:
        grader.close()
