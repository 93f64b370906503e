"""Show a failed check in a notebook as its message alone, without a traceback.

A check's message already says what went wrong; the frames of the check code would only
bury it (and, for hidden checks, show the grader's code in the feedback). Other errors
keep IPython's usual traceback.
"""

from autograder.runtime.compare import CheckFailure


def _show_message(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: display ``CheckFailure: message`` and nothing else."""
    lines = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, lines)
    return lines


def install() -> bool:
    """Register the handler in the running IPython kernel; return False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailure,), _show_message)
    return True
