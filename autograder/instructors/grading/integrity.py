"""Notice student code that tampers with the grader inside its own kernel.

In one process nothing can stop code from replacing a function of torch or of the
course, or from bending IPython's error handling; what can be done is to notice it.
:func:`record` runs in the grader's first cell, before any student code, and keeps the
objects the checks rely on; the grader's last cell calls :func:`report`, which prints one
JSON line naming every one of them that was replaced or removed since. Additions are ignored
(torch adds lazily imported submodules), data is ignored (only callables, classes and
modules count). A student who knows this code can defeat it (for example by restoring
everything before the last cell, or by replacing :func:`report`): the instructors' page
says so, and :mod:`autograder.instructors.grading.scan` reads the answers' code as a second line.
"""

import json
import sys
import types

WATCHED_MODULES = (
    "builtins",
    "math",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.modules.module",
    "torch.nn.modules.conv",
    "torch.functional",
    "torch._tensor",
    "torch.testing",
    "torch.testing._comparison",
    "torch.autograd",
    "torch.autograd.grad_mode",
    "torch.overrides",
    "torch.utils._python_dispatch",
    "IPython.core.interactiveshell",
    "ipykernel.ipkernel",
    "ipykernel.kernelbase",
    "ipykernel.zmqshell",
    "jupyter_client.session",
    "getpass",
)
WATCHED_SYS = ("excepthook", "displayhook", "stdout", "stderr", "meta_path", "path_hooks")
KERNEL_LISTS = ("ast_transformers", "input_transformers_post", "input_transformers_cleanup")
# ipykernel installs fresh bound methods for these on every execution; torch._dynamo,
# imported lazily, wraps torch.manual_seed.
REPLACED_BY_THE_SYSTEM = {
    "builtins.input",
    "builtins.exit",
    "builtins.quit",
    "getpass.getpass",
    "kernel._save_getpass",
    "kernel._sys_raw_input",
    "kernel._sys_eval_input",
    "torch.manual_seed",
}

_recorded: dict = {}


def _watched(value) -> bool:
    return isinstance(value, (types.ModuleType, type)) or callable(value)


def _module_names() -> list[str]:
    course = [name for name in sys.modules if name == "autograder" or name.startswith("autograder.")]
    return [name for name in (*WATCHED_MODULES, *course) if name in sys.modules]


def _namespaces(kernel) -> dict[str, dict]:
    """Every namespace watched, by a readable name: modules, their classes, the kernel's objects."""
    spaces: dict[str, dict] = {}
    for name in _module_names():
        module = sys.modules[name]
        spaces[name] = {key: value for key, value in vars(module).items() if _watched(value)}
        for key, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == name:
                spaces[f"{name}.{key}"] = {k: v for k, v in vars(value).items() if _watched(v)}
    shell = kernel.shell
    for label, owner in (("shell", shell), ("kernel", kernel), ("session", kernel.session)):
        for cls in type(owner).__mro__[:-1]:
            spaces[f"{label} class {cls.__name__}"] = {k: v for k, v in vars(cls).items() if _watched(v)}
        spaces[label] = {k: v for k, v in vars(owner).items() if _watched(v)}
    spaces["sys"] = {key: getattr(sys, key) for key in WATCHED_SYS}
    spaces["sys"].update(gettrace=sys.gettrace(), getprofile=sys.getprofile())
    spaces["sys.modules"] = {name: sys.modules[name] for name in _module_names()}
    spaces["shell hooks"] = {
        "custom_exceptions": shell.custom_exceptions,
        **{name: tuple(getattr(shell, name, ())) for name in KERNEL_LISTS},
        **{f"events.{event}": tuple(hooks) for event, hooks in shell.events.callbacks.items()},
    }
    return spaces


def isolation(refused: list[str]) -> None:
    """Remember the isolation steps the OS refused (called by the zygote's child)."""
    _recorded["refused"] = list(refused)


def record() -> None:
    """Keep the pristine objects (the grader's first cell, before any student code)."""
    kernel = get_ipython().kernel  # noqa: F821 - defined in an IPython kernel
    _recorded.update(spaces=_namespaces(kernel), kernel=kernel)


def changes() -> list[str]:
    """Names of the watched objects that were replaced or removed since :func:`record`."""
    now = _namespaces(_recorded["kernel"])
    changed = []
    for space, before in _recorded["spaces"].items():
        after = now.get(space, {})
        for key, value in before.items():
            current = after.get(key, _MISSING)
            same = current is value or (isinstance(value, (tuple, types.MethodType)) and current == value)
            if not same and f"{space}.{key}" not in REPLACED_BY_THE_SYSTEM:
                changed.append(f"{space}.{key}")
        if space in ("shell", "kernel", "session"):
            changed += [
                f"{space}.{key} (overrides a method)"
                for key in sorted(after.keys() - before.keys())
                if f"{space}.{key}" not in REPLACED_BY_THE_SYSTEM
            ]
    return changed


_MISSING = object()


def report(nonce: str) -> None:
    """Print the integrity line the grader looks for: the nonce, the changes, the refused isolation steps."""
    print(json.dumps({"integrity": nonce, "changed": changes(), "refused": _recorded.get("refused", [])}))


GRADER_CELL = "cnn_course_grader"


def _grader_cell(source: str):
    from nbformat.v4 import new_code_cell

    return new_code_cell(source, metadata={GRADER_CELL: True})


def first_cell():
    """The grader's first cell (the output cap does not apply to grader cells)."""
    return _grader_cell(
        "from autograder.instructors.grading.integrity import record as _grader_record\n_grader_record()"
    )


def last_cell(nonce: str):
    """The grader's last cell."""
    return _grader_cell(
        f"from autograder.instructors.grading.integrity import report as _grader_report\n_grader_report({nonce!r})"
    )


def parse(outputs: list, nonce: str) -> dict | None:
    """The report in a cell's outputs, or None when none carries the nonce."""
    for output in outputs:
        for line in output.get("text", "").splitlines() if output.get("output_type") == "stream" else ():
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict) and found.get("integrity") == nonce:
                return found
    return None
