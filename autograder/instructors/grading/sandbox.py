"""Isolate a freshly forked kernel process before it runs any student code (Linux).

Called in the child, as root, right after the fork: a new session (the parent kills the
whole process group), a new network namespace with no interface but loopback, a new mount
namespace in which the course folder is hidden under an empty tmpfs that only root may write, resource
limits, then an unprivileged user id of its own. Each step that the OS refuses is
skipped and reported, never fatal: grading goes on with what could be had.
"""

import ctypes
import os
import resource
import stat
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
MS_NOSUID, MS_NODEV = 2, 4
PR_SET_NO_NEW_PRIVS = 38
HEADROOM = 512 * 2**20  # the kernel's own threads and sockets, started after the limit is set

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Spec:
    """What one kernel may use: its user id, its folder, the paths it needs, the limits."""

    uid: int
    home: str
    hidden: tuple[str, ...]
    needed: tuple[str, ...]
    memory_bytes: int | None
    file_bytes: int
    processes: int = 64


def _call(name: str, *args) -> None:
    if getattr(_libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda text: None if text is None else str(text).encode()  # noqa: E731
    _call("mount", encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data))


def _traversable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXOTH)


def masks(hidden: tuple[str, ...], needed: tuple[str, ...]) -> list[Path]:
    """Folders to cover: the hidden ones and every ancestor of a needed path that others cannot enter."""
    found = {Path(path) for path in hidden}
    for path in map(Path, needed):
        found |= {parent for parent in path.parents if parent != Path("/") and not _traversable(parent)}
    return [path for path in found if not any(other in path.parents for other in found)]


def hide(spec: Spec) -> None:
    """Cover the masks with empty tmpfs, then bring the needed paths back at their places."""
    covered = masks(spec.hidden, spec.needed)
    inside = [Path(p) for p in spec.needed if any(m == Path(p) or m in Path(p).parents for m in covered)]
    stage = Path(spec.home) / ".mounts"
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for number, path in enumerate(inside):
        (stage / str(number)).mkdir(parents=True)
        _mount(path, stage / str(number), None, MS_BIND | MS_REC)
    for mask in covered:
        _mount("tmpfs", mask, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
    for number, path in enumerate(inside):
        path.mkdir(parents=True, exist_ok=True)
        _mount(stage / str(number), path, None, MS_MOVE)


def _address_space() -> int:
    """This process's current virtual size in bytes."""
    line = next(row for row in Path("/proc/self/status").read_text().splitlines() if row.startswith("VmSize:"))
    return int(line.split()[1]) * 1024


def limit(spec: Spec) -> None:
    """Memory (address space beyond what the kernel maps already, plus room for its threads),
    file size, processes, no core files."""
    if spec.memory_bytes is not None:
        cap = _address_space() + HEADROOM + spec.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec.file_bytes, spec.file_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (spec.processes, spec.processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (group ``uid``, no supplementary groups) for good."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    _call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def isolate(spec: Spec) -> list[str]:
    """Apply every isolation step to this process; return the steps the OS refused."""
    refused = []
    os.setsid()
    steps = [
        ("network", lambda: _call("unshare", CLONE_NEWNET)),
        ("hidden files", lambda: (_call("unshare", CLONE_NEWNS), hide(spec))),
        ("limits", lambda: limit(spec)),
        ("own user id", lambda: drop_privileges(spec.uid)),
    ]
    if os.geteuid() != 0:
        steps = steps[2:3]
        refused += ["network", "hidden files", "own user id (the grader does not run as root)"]
    for name, step in steps:
        try:
            step()
        except OSError as error:
            refused.append(f"{name} ({error})")
    os.chdir(spec.home)
    return refused
