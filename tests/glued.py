"""What a book page glues, computed by running its code cells in this process (as the build runs
them), so that a test can pin the numbers its prose reads."""

import re
import sys
import types
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

BOOK = Path(__file__).resolve().parents[1] / "book"
CELL = re.compile(r"^```\{code-cell\} ipython3\n(?:---\n.*?\n---\n)?(.*?)^```$", re.MULTILINE | re.DOTALL)


def glued_values(key: str) -> dict:
    """Run the code cells of the book page of chapter ``key`` in order and return what they glue
    (``myst_nb.glue`` is replaced by a recorder; IPython's ``%`` lines are skipped)."""
    page = BOOK / f"{key}.md"
    values = {}
    recorder = types.ModuleType("myst_nb")
    recorder.glue = lambda name, value, display=True: values.__setitem__(name, value)
    namespace = {}
    threads = torch.get_num_threads()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "myst_nb", recorder)
        try:
            for source in CELL.findall(page.read_text()):
                code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
                exec(compile(code, str(page), "exec"), namespace)
        finally:
            torch.set_num_threads(threads)  # a page may train on one thread
    plt.close("all")
    return values
