"""Show a failed check in a notebook as its message alone, without a traceback.

A check's message already says what went wrong; the frames of the check code would only
bury it (and, for hidden checks, show the grader's code in the feedback). Other errors
keep IPython's usual traceback.

In Jupyter, a student reads the message as HTML (:mod:`.failure_html`): the title, expected
and got side by side, the hint, and "Read more" as a link into the book. Where nbgrader
runs the notebook (autograding, validation: it sets ``NBGRADER_EXECUTION``), the message
stays plain text, which the feedback and terminals show as it is.
"""

import importlib
import os

from autograder.runtime.compare import CheckFailure
from autograder.runtime.failure_html import as_html


def _rich() -> bool:
    """Whether a person reads this kernel's outputs in Jupyter (nbgrader is not running it)."""
    return not os.environ.get("NBGRADER_EXECUTION")


def _show_message(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: ``CheckFailure: message`` and nothing else; in
    Jupyter the message as HTML first, then the error on one line (the cell still fails)."""
    if _rich():
        from IPython.display import display

        display({"text/html": as_html(value), "text/plain": str(value)}, raw=True)
        headline = str(value).split("\n", 1)[0]
        lines = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {headline} (the whole message is above)"]
    else:
        lines = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, lines)
    return lines


# What the checks import, loaded when the notebook's first cells import the package, so that a
# student's first check does not pay for it (PyTorch's lazy imports included: see guard).
PRELOADED = ("autograder.runtime.diagnosis", "autograder.runtime.kit", "autograder.runtime.properties")


def install() -> bool:
    """Register the handler in the running IPython kernel and load what the checks will need;
    return False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailure,), _show_message)
    for module in PRELOADED:
        importlib.import_module(module)
    return True
