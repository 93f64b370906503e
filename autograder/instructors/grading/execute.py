"""nbgrader's Execute with the grading limits: an output cap, and a kernel that stops
answering (or dies) ends the notebook instead of the run.

Every code cell that did not run to its end gets an error output saying why: nbgrader
gives full points to a test cell without an error, so an unexecuted test cell must never
look like a passed one.
"""

import json

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from autograder.instructors.grading.integrity import GRADER_CELL

STOPPED = "GradingStopped"


def _size(msg: dict) -> int:
    """Bytes an output message would add to the notebook."""
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    return len(json.dumps(content.get("data", {})))


class LimitedExecute(Execute):
    """Execute a notebook on a kernel that was started elsewhere (``km``), within the limits."""

    output_limit = Integer(2**20, help="bytes of output kept per notebook; later outputs are dropped, errors kept").tag(
        config=True
    )
    stop_reason = Unicode("", help="set by the watchdog before it kills the kernel (wall time, memory)")

    def preprocess(self, nb, resources=None, km=None):
        self.kept = 0
        self.truncated = False
        self.stopped = ""
        self.current = 0
        try:
            return super().preprocess(nb, resources, km=km)
        except (DeadKernelError, CellTimeoutError) as error:
            self.stopped = self.stop_reason or self._explain(error)
            self._mark_unfinished(nb)
            return nb, self.resources

    def preprocess_cell(self, cell, resources, index):
        self.current = index
        return super().preprocess_cell(cell, resources, index)

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] != "error" and not self.nb.cells[cell_index].metadata.get(GRADER_CELL):
            self.kept += _size(msg)
            if self.kept > self.output_limit:
                if not self.truncated:
                    self.truncated = True
                    note = f"[grading: output beyond {self.output_limit // 2**20} MB dropped]\n"
                    outs.append(new_output("stream", name="stderr", text=note))
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _explain(self, error: Exception) -> str:
        if isinstance(error, CellTimeoutError):
            return f"the kernel ignored the interrupt after the {self.timeout} s cell timeout and was killed"
        return "the kernel died"

    def _mark_unfinished(self, nb) -> None:
        for cell in nb.cells[self.current :]:
            if cell.cell_type == "code" and cell.source.strip():
                cell.setdefault("outputs", []).append(
                    new_output(
                        "error",
                        ename=STOPPED,
                        evalue=self.stopped,
                        traceback=[f"\x1b[0;31m{STOPPED}\x1b[0m: this cell did not finish: {self.stopped}."],
                    )
                )
