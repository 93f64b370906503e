"""``cnn-course grade``: the command line of :mod:`autograder.instructors.grading`."""

import argparse
import shutil
import sys
from pathlib import Path

from autograder.instructors.course import CourseFolder, nbgrader
from autograder.instructors.grading import limits as limit_options
from autograder.instructors.grading.results import EXIT_CODES, SetupError, WorkersFailed

EPILOG = "exit status: " + "; ".join(f"{code}: {meaning}" for code, meaning in EXIT_CODES.items())


def collect_zip(course: CourseFolder, assignment: str, archive: Path) -> None:
    """Unpack an LMS export into the submitted folder with nbgrader's zip_collect and the course's file-name rules."""
    if not archive.is_file():
        raise SetupError(f"no such file: {archive}")
    folder = course.archive(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(archive, folder / archive.name)
    if nbgrader(course.root, "zip_collect", assignment, "--force", "--log-level=WARN").returncode:
        raise SetupError(f"nbgrader zip_collect could not collect {archive}")


def grade(args: argparse.Namespace) -> int:
    """Autograde a class in parallel, each notebook in a fresh sandboxed kernel, into nbgrader's gradebook."""
    from autograder.instructors.grading import run

    course = CourseFolder(args.root)
    chosen = limit_options.from_arguments(args, cell_timeout=course.config.Execute.get("timeout"))
    try:
        if args.zip:
            if len(args.assignments) != 1:
                raise SetupError("--zip needs exactly one assignment: the one the export holds")
            collect_zip(course, args.assignments[0], args.zip)
        print(f"limits: {chosen.describe()}", file=sys.stderr)
        summary = run.grade(course, args.assignments, chosen, force=args.force, progress=not args.quiet)
    except (SetupError, WorkersFailed) as error:
        print(f"cnn-course grade: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return summary.exit_code


def add_command(commands) -> None:
    """Register ``grade`` on the ``cnn-course`` sub-command parser."""
    command = commands.add_parser("grade", help=grade.__doc__, description=grade.__doc__, epilog=EPILOG)
    command.add_argument("assignments", nargs="*", help="assignments to grade (default: every one with submissions)")
    command.add_argument("--zip", type=Path, help="an LMS export (zip) to collect into the submitted folder first")
    command.add_argument("--force", action="store_true", help="re-grade submissions that did not change")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    limit_options.add_arguments(command)
    command.set_defaults(run=grade)
