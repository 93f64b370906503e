"""The CNN building blocks course's helper package, in three sides:

- :mod:`autograder.runtime`: what a student's notebook needs while the student works
  (comparisons, calling answers safely, the guard, seeded cases, the diagnosis of known
  mistakes, the device, the finished blocks);
- :mod:`autograder.chapters`: one package per chapter, ``chNN_topic``, with its visible
  checks and their recorded data, and its reference implementations, hidden checks, known
  mistakes and figures;
- :mod:`autograder.instructors`: the course folder, the ``cnn-course`` command, class
  grading and its report.

Dependencies point down: the chapters use the runtime, the instructors' tools use both,
and the runtime imports neither. Students install a part of it, the package ``cnn-course``:
the runtime and the visible checks with their data, nothing that answers an exercise (see
:mod:`autograder.instructors.edition`). Importing the package inside a notebook makes
failed checks display as plain messages.
"""

from autograder.runtime import notebook
from autograder.runtime.compare import CheckFailure
from autograder.runtime.device import device

__all__ = ["CheckFailure", "__version__", "device"]
__version__ = "0.2.0"

notebook.install()
