"""The limits a submission is graded under, declared once with their help text."""

import os
from dataclasses import dataclass, field, fields


def _limit(default, help: str, flag: str, unit: str):
    return field(default=default, metadata={"help": help, "flag": flag, "unit": unit})


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; the command line offers one option per field."""

    cell_timeout: int = _limit(
        60, "seconds one cell may run before it is interrupted (scores zero)", "--cell-timeout", "S"
    )
    wall_time: int = _limit(600, "seconds the whole notebook may run before its kernel is killed", "--wall-time", "S")
    memory: int = _limit(2048, "MB the student's code may allocate in its kernel", "--memory", "MB")
    output: int = _limit(
        1, "MB of output kept per notebook; outputs beyond are dropped (errors are always kept)", "--output", "MB"
    )
    tmp: int = _limit(
        256,
        "MB a kernel may write to its own /tmp and /dev/shm together (in memory, on top of "
        "--memory); writes beyond fail, and both vanish with the kernel",
        "--tmp",
        "MB",
    )
    workers: int = _limit(os.cpu_count() or 1, "submissions graded at the same time", "--workers", "N")

    @property
    def memory_bytes(self) -> int:
        return self.memory * 2**20

    @property
    def output_bytes(self) -> int:
        return self.output * 2**20

    @property
    def tmp_bytes(self) -> int:
        return self.tmp * 2**20

    def describe(self) -> str:
        """One line for logs: ``cell_timeout=60 s, ...``."""
        units = {"S": " s", "MB": " MB"}
        return ", ".join(f"{f.name}={getattr(self, f.name)}{units.get(f.metadata['unit'], '')}" for f in fields(self))


def add_arguments(parser) -> None:
    """One ``--option`` per limit, with its help text and default."""
    for f in fields(Limits):
        default = f.default
        parser.add_argument(
            f.metadata["flag"],
            dest=f.name,
            type=int,
            default=None,
            metavar=f.metadata["unit"],
            help=f"{f.metadata['help']} (default: {default})",
        )


def from_arguments(args, **defaults) -> Limits:
    """The limits given on the command line, else ``defaults``, else the declared defaults."""
    values = {f.name: getattr(args, f.name, None) for f in fields(Limits)}
    chosen = {name: value if value is not None else defaults.get(name) for name, value in values.items()}
    return Limits(**{name: value for name, value in chosen.items() if value is not None})
