"""Isolate a freshly forked kernel process before it runs any student code (Linux).

Called in the child, as root, right after the fork: a new session (the parent kills the
whole process group), a new network namespace with no interface but loopback, a new mount
namespace in which the course folder is hidden under an empty tmpfs that only root may write
and /tmp and /dev/shm are a small tmpfs of the kernel's own (gone with the namespace),
resource limits, then an unprivileged user id of its own. Each step that the OS refuses is
skipped and reported, never fatal: grading goes on with what could be had.
"""

import ctypes
import os
import resource
import signal
import stat
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
MS_NOSUID, MS_NODEV = 2, 4
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
HEADROOM = 512 * 2**20  # the kernel's own threads and sockets, started after the limit is set
PRIVATE = ("/tmp", "/dev/shm")
# Files and folders a kernel may create there: each costs kernel memory that the size cap does not count.
PRIVATE_FILES = 10_000

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
    tmp_bytes: int
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
    for number, path in enumerate(inside):
        (stage / str(number)).mkdir(parents=True)
        _mount(path, stage / str(number), None, MS_BIND | MS_REC)
    for mask in covered:
        _mount("tmpfs", mask, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
    for number, path in enumerate(inside):
        path.mkdir(parents=True, exist_ok=True)
        _mount(stage / str(number), path, None, MS_MOVE)


def own_mount_namespace() -> None:
    """A mount namespace of this process's own, whose mounts never propagate to the machine's."""
    _call("unshare", CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def private_tmp(spec: Spec) -> None:
    """Put one tmpfs of ``spec.tmp_bytes`` over /tmp and /dev/shm: what the kernel writes to either
    counts against one cap, and vanishes with its mount namespace (the kernel and its children).

    The tmpfs is built aside, in the kernel's folder, with the paths the kernel needs under /tmp
    (its folder, usually) bound back in, then bound over both; the staging mount is detached."""
    stage = Path(spec.home) / ".mounts" / "private"
    stage.mkdir(parents=True)
    _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=700,size={spec.tmp_bytes},nr_inodes={PRIVATE_FILES}")
    kept = [(Path(spec.home), MS_BIND), *((Path(path), MS_BIND | MS_REC) for path in spec.needed)]
    for folder in map(Path, PRIVATE):
        inside = stage / folder.name
        inside.mkdir()
        inside.chmod(0o1777)
        for path, flags in kept:
            if folder in path.parents:
                (inside / path.relative_to(folder)).mkdir(parents=True, exist_ok=True)
                _mount(path, inside / path.relative_to(folder), None, flags)
    handle = os.open(stage, os.O_PATH | os.O_DIRECTORY)  # reaches the stage once /tmp is covered
    try:
        for folder in map(Path, PRIVATE):
            if folder.is_dir():
                _mount(f"/proc/self/fd/{handle}/{folder.name}", folder, None, MS_BIND | MS_REC)
        _call("umount2", f"/proc/self/fd/{handle}".encode(), MNT_DETACH)
    finally:
        os.close(handle)


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


def die_with_parent(parent: int) -> None:
    """Be killed when the thread that started this process ends (Linux's parent-death signal).

    Call it after any change of user id, which clears the signal; if the parent had already
    ended before it was set (``getppid()`` then names another process), die at once."""
    _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


MOUNTS = ("hidden files", "private /tmp and /dev/shm")  # need the mount namespace of their own


def isolate(spec: Spec) -> list[str]:
    """Apply every isolation step to this process; return the steps the OS refused."""
    refused = []
    os.setsid()
    steps = [
        ("network", lambda: _call("unshare", CLONE_NEWNET)),
        ("mount namespace", own_mount_namespace),
        ("hidden files", lambda: hide(spec)),
        ("private /tmp and /dev/shm", lambda: private_tmp(spec)),
        ("limits", lambda: limit(spec)),
        ("own user id", lambda: drop_privileges(spec.uid)),
    ]
    if os.geteuid() != 0:
        refused += [f"{name} (the grader does not run as root)" for name, _ in steps if name != "limits"]
        steps = [step for step in steps if step[0] == "limits"]
    for name, step in steps:
        if name in MOUNTS and any(reason.startswith("mount namespace") for reason in refused):
            refused.append(f"{name} (no mount namespace of its own)")
            continue
        try:
            step()
        except OSError as error:
            refused.append(f"{name} ({error})")
    os.chdir(spec.home)
    return refused
