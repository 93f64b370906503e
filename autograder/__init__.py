"""The CNN building blocks course's helper package.

- :mod:`autograder.device`: which device checks and references run on;
- :mod:`autograder.reference`: reference implementations, one module per topic;
- :mod:`autograder.checks`: the visible (``check_*``) and hidden (``grade_*``) checks of
  every exercise, one module per chapter;
- :mod:`autograder.mistakes`: the known wrong answers of every exercise;
- :mod:`autograder.submissions`: synthetic submissions (solved, blank, one mistake);
- :mod:`autograder.figures`: the figures of the book's chapters;
- :mod:`autograder.cli`: the instructors' commands (``cnn-course --help``).

Importing the package inside a notebook makes failed checks display as plain messages.
"""

from autograder import notebook
from autograder.compare import CheckFailure
from autograder.device import device

__all__ = ["CheckFailure", "device"]

notebook.install()
