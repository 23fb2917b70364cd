"""Where did it fail: the deepest frame that belongs to the user's code, and the gRPC status of
a Google API error. Library code (the standard library, site-packages, luigi_spanner) is never
the answer: a person fixes their pipeline, not Luigi."""

from __future__ import annotations

import os
import re
import sys
import sysconfig
import traceback
import types
from pathlib import Path
from typing import Any, Iterable, Optional

_LIBRARY_ROOTS = tuple(
    {
        os.path.realpath(p)
        for p in (
            sysconfig.get_paths().get("stdlib"),
            sysconfig.get_paths().get("platstdlib"),
            sysconfig.get_paths().get("purelib"),
            sysconfig.get_paths().get("platlib"),
            # luigi_spanner itself (this runner included): a failure inside it is reported
            # at the user's call into it.
            str(Path(__file__).resolve().parents[1]),
        )
        if p
    }
)
_TRACEBACK_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>.+)$', re.MULTILINE)


def is_user_file(filename: str) -> bool:
    if not filename or filename.startswith("<"):
        return False
    real = os.path.realpath(filename)
    return not any(real == root or real.startswith(root + os.sep) for root in _LIBRARY_ROOTS)


def user_frames(frames: Iterable[tuple[str, int, str]]) -> list[dict[str, Any]]:
    return [{"file": f, "line": n, "function": name} for f, n, name in frames if is_user_file(f)]


def frames_of_exception(error: BaseException) -> list[tuple[str, int, str]]:
    return [(fs.filename, fs.lineno or 0, fs.name) for fs in traceback.extract_tb(error.__traceback__)]


def frames_of_text(tb: str) -> list[tuple[str, int, str]]:
    return [(m["file"], int(m["line"]), m["name"].strip()) for m in _TRACEBACK_FRAME.finditer(tb)]


def task_code_location(task: Any) -> Optional[dict[str, Any]]:
    """Where the task's own work is defined, for failures raised entirely inside libraries
    (for example a commit refused by Spanner after the user's code queued its mutations)."""
    import inspect

    for name in ("write", "mutations", "run", "complete", "requires"):
        function = getattr(type(task), name, None)
        code = getattr(function, "__code__", None)
        if code is not None and is_user_file(code.co_filename):
            return {"file": code.co_filename, "line": code.co_firstlineno, "function": name}
    try:
        return {"file": inspect.getsourcefile(type(task)), "line": inspect.getsourcelines(type(task))[1], "function": None}
    except (OSError, TypeError):
        return None


def describe_failure(task: Any, frames: list[tuple[str, int, str]]) -> dict[str, Any]:
    own = user_frames(frames)
    location = own[-1] if own else task_code_location(task)
    return {
        "file": location["file"] if location else None,
        "line": location["line"] if location else None,
        "frames": own,
    }




def user_call_site() -> Optional[dict[str, Any]]:
    """The deepest frame of user code on the current stack (where the user's code called the client)."""
    frame: Optional[types.FrameType] = sys._getframe(1)
    while frame is not None:
        if is_user_file(frame.f_code.co_filename):
            return {"file": frame.f_code.co_filename, "line": frame.f_lineno, "function": frame.f_code.co_name}
        frame = frame.f_back
    return None


def grpc_status(error: BaseException) -> Optional[tuple[int, str]]:
    """The gRPC status (code, name) of a Google API error anywhere in the exception's chain."""
    pending: list[Any] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        status = getattr(current, "grpc_status_code", None)
        if status is not None and hasattr(status, "value"):
            value = status.value[0] if isinstance(status.value, tuple) else status.value
            return int(value), str(status.name)
        pending.extend((getattr(current, "cause", None), current.__cause__, current.__context__))
    return None
