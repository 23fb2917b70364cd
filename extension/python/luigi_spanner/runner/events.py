"""The event channel: prefixed JSON lines on one file descriptor (see the package docstring).

The prefix, the exit codes and the event fields are the contract's (extension/shared/contract.json),
which the editor's parser is generated from too.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import time
from typing import Any, Iterator, Optional

from .. import contract

EVENT_PREFIX = contract.EVENT_PREFIX

EXIT_OK = contract.EXIT_OK
EXIT_RUN_FAILED = contract.EXIT_RUN_FAILED
EXIT_CANNOT_START = contract.EXIT_CANNOT_START
EXIT_INTERRUPTED = contract.EXIT_INTERRUPTED


class EventChannel:
    """Writes prefixed JSON lines to one file descriptor, shared safely by forked task processes."""

    def __init__(self, fd: int, run_id: str) -> None:
        self.fd = fd
        self.run_id = run_id
        # A multiprocessing lock survives Luigi's fork of task processes; a threading lock would not.
        self._lock = multiprocessing.Lock()
        #: Depth of event writing, where an interrupt must not land (see interrupt_on_signals).
        self.shielded = 0

    @contextlib.contextmanager
    def shield(self) -> Iterator[None]:
        self.shielded += 1
        try:
            yield
        finally:
            self.shielded -= 1

    def emit(self, event_type: str, **fields: Any) -> None:
        # Unknown values are left out rather than sent as null: readers treat them as optional.
        event = {"type": event_type, "time": round(time.time(), 6), "runId": self.run_id}
        event.update((key, value) for key, value in fields.items() if value is not None)
        line = (EVENT_PREFIX + json.dumps(event, default=str, separators=(",", ":")) + "\n").encode("utf-8")
        with self.shield(), self._lock:
            view = memoryview(line)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]


class StartError(Exception):
    """The run cannot start; reported as an ``error`` event and exit code 2."""

    def __init__(self, message: str, fix: str, file: Optional[str] = None, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.file = file
        self.line = line
