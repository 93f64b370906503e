"""Which submissions changed since the last run (``.grading-state.json`` in the autograded folder).

A submission's digest covers its files, the assignment's source files and the limits:
a second run re-grades only what any of them changed (``--force``: everything). The file
is rewritten after every result, so a run that is killed loses no finished work.
"""

import hashlib
import json
import os
from pathlib import Path

from autograder.instructors.course import CourseFolder

NAME = ".grading-state.json"


def state_file(course: CourseFolder) -> Path:
    """Where ``cnn-course grade`` keeps its record: beside the autograded submissions it describes."""
    return course.folder("autograded") / NAME


def digest_of(*folders: Path, extra: str = "") -> str:
    """SHA-256 over the relative names and contents of every file in ``folders``, and ``extra``."""
    sha = hashlib.sha256(extra.encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


class State:
    """The last result of every submission, by ``assignment/student``: digest, status, reasons."""

    def __init__(self, course: CourseFolder) -> None:
        self.course = course
        self.path = state_file(course)
        self.entries: dict[str, dict] = json.loads(self.path.read_text()) if self.path.exists() else {}

    def previous(self, assignment: str, student: str, digest: str) -> dict | None:
        """The recorded result when the submission has not changed since, else None."""
        entry = self.entries.get(f"{assignment}/{student}")
        graded = self.course.submission("autograded", student, assignment).is_dir()
        return entry if graded and entry and entry["digest"] == digest else None

    def remember(self, result) -> None:
        """Record a submission's result and save the record."""
        self.entries[f"{result.assignment}/{result.student}"] = {
            "digest": result.digest,
            "status": result.status,
            "reasons": result.reasons,
        }
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
