"""The instructors' command line: ``cnn-course COMMAND``.

Every command that runs nbgrader does so with the course's configuration and fails loudly
when that configuration cannot be loaded (plain nbgrader logs the error and carries on).
``validate`` needs no course folder: it is the students' command too.
"""

import argparse
import sys
from pathlib import Path

from autograder import chapters
from autograder.instructors.course import load_config, nbgrader
from autograder.instructors.grading.command import add_command as add_grade
from autograder.instructors.report.command import add_command as add_report
from autograder.runtime import validate as validating


def check_config(args: argparse.Namespace) -> int:
    """Fail unless the course's nbgrader configuration loads and points at solutions/ and exercises/."""
    config = load_config(args.root)
    course = config.CourseDirectory
    expected = {"source_directory": "solutions", "release_directory": "exercises"}
    wrong = {key: course.get(key) for key, value in expected.items() if course.get(key) != value}
    if wrong:
        print(f"nbgrader_config.py loaded, but these settings are not the course's: {wrong}", file=sys.stderr)
        return 1
    print(
        f"nbgrader config OK: course {course.get('course_id')!r}, solutions/ -> exercises/, "
        f"cell timeout {config.Execute.get('timeout')} s."
    )
    return 0


def generate(args: argparse.Namespace) -> int:
    """Regenerate exercises/ASSIGNMENT from solutions/ASSIGNMENT (no gradebook needed)."""
    for assignment in args.assignments:
        done = nbgrader(args.root, "generate_assignment", assignment, "--force", "--no-db", "--log-level=WARN")
        if done.returncode:
            return done.returncode
    return 0


def validate(args: argparse.Namespace) -> int:
    """Run notebooks as the grader would; print each failing test cell's whole message; exit 1 on a failure."""
    from autograder.runtime.validate import validate as run

    return run([path.resolve() for path in args.notebooks], args.invert)


def record(args: argparse.Namespace) -> int:
    """Write the chapters' recorded.pt: the reference results and known mistakes the visible checks need."""
    from autograder.instructors.record import write

    for key in args.keys or chapters.KEYS:
        print(f"recorded {write(key, args.root).relative_to(args.root)}")
    return 0


def student_edition(args: argparse.Namespace) -> int:
    """Write the student edition (exercises, chapters' text, the students' package, its wheel and the kits)."""
    from autograder.instructors.edition import write_edition

    dest = write_edition((args.dest or args.root / "dist" / "student").resolve(), args.root)
    print(f"The student edition is in {dest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cnn-course``."""
    parser = argparse.ArgumentParser(prog="cnn-course", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root (holds nbgrader_config.py)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-config", help=check_config.__doc__).set_defaults(run=check_config)
    command = commands.add_parser("generate", help=generate.__doc__)
    command.add_argument("assignments", nargs="+", help="assignment names, e.g. ch02_cross_correlation")
    command.set_defaults(run=generate)
    command = commands.add_parser("validate", help=validate.__doc__)
    validating.add_arguments(command)
    command.set_defaults(run=validate)
    command = commands.add_parser("record", help=record.__doc__)
    command.add_argument("keys", nargs="*", help="chapter keys (default: all), e.g. ch02_cross_correlation")
    command.set_defaults(run=record)
    command = commands.add_parser("student-edition", help=student_edition.__doc__)
    command.add_argument("dest", nargs="?", type=Path, help="where to write it (default: dist/student)")
    command.set_defaults(run=student_edition)
    add_report(commands)
    add_grade(commands)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
