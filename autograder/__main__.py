"""``python -m autograder`` is ``cnn-course``."""

import sys

from autograder.cli import main

sys.exit(main())
