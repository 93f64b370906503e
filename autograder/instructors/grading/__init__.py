"""Grade a whole class: ``cnn-course grade``.

Submissions are graded in parallel by worker processes, each notebook in a fresh kernel
forked from a *zygote* that has already imported torch and the course's package, inside
a sandbox (own user id, no network, the course's files hidden, a small /tmp of its own,
resource limits) that dies with the run. The workers return graded notebooks; one process
writes them into nbgrader's gradebook with nbgrader's own preprocessors, so formgrader,
feedback and export work as usual.

- :mod:`~autograder.instructors.grading.limits`: the per-submission limits (declared with their help);
- :mod:`~autograder.instructors.grading.sandbox`: isolation of a kernel process (runs in the kernel);
- :mod:`~autograder.instructors.grading.zygote`: the process that forks kernels;
- :mod:`~autograder.instructors.grading.kernels`: kernels as jupyter_client sees them;
- :mod:`~autograder.instructors.grading.integrity`: tamper detection (in the kernel and in the code);
- :mod:`~autograder.instructors.grading.execute`: nbgrader's Execute with the limits;
- :mod:`~autograder.instructors.grading.worker`: grades one submission;
- :mod:`~autograder.instructors.grading.merge`: writes results into the gradebook;
- :mod:`~autograder.instructors.grading.state`: what changed since the last run;
- :mod:`~autograder.instructors.grading.leftovers`: what a killed run left (swept at the start of every run);
- :mod:`~autograder.instructors.grading.run`: the whole run, progress and summary.
"""
