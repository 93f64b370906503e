"""``python -m autograder`` is ``cnn-course``."""

import sys

from autograder.instructors.cli import main

sys.exit(main())
