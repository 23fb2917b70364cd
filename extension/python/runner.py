"""Runner shim: runs one Luigi task from a pipeline file and reports each event as a JSON line.

Executed by the VS Code extension and the ``luigi-spanner run`` CLI with the managed venv::

    python runner.py --file PIPELINE.py --task TASK [--param NAME=VALUE ...] [--workers N]
                     [--scheduler-host HOST [--scheduler-port PORT]] [--events-fd FD]
                     [--run-id ID] [--log-level LEVEL] [--await-go]
                     [--fail-after-commits N] [--kill-at-random SEED [--kill-horizon N]]
                     [--trace-commits] [--force]

The runner imports the pipeline file as a module (its folder first on ``sys.path``, and this
folder too, so ``import luigi_spanner`` works), builds the task with its parameters and runs
it through ``luigi.build(..., detailed_summary=True)``: with the local scheduler by default,
with a central ``luigid`` when ``--scheduler-host`` is given.

With ``--await-go`` the runner starts before its database exists: it loads Luigi and the
Spanner client, then waits for a ``go`` line on stdin, written by the caller once the database
is provisioned, so Python's start-up overlaps with provisioning.

Event channel
-------------
Every event is one line: the prefix ``@@luigi-spanner@@ `` and a JSON object. The prefix is
always there, whichever channel is used, so one parser serves both:

* default: events go to the runner's original stdout. Before the pipeline is imported, file
  descriptor 1 is pointed at stderr, so whatever user code, libraries, C extensions or child
  processes print lands on stderr and can never split or forge an event line. The prefix is a
  second guard for callers that merge the two streams.
* ``--events-fd N``: events go to descriptor N, a pipe the caller opened (for example
  ``stdio[3]`` in Node's ``spawn``); stdout and stderr are left alone.

Each line is written with one locked ``write`` so that task processes forked by
``--workers N`` never interleave lines. Luigi's own logging goes to stderr.

Events
------
All carry ``type``, ``time`` (Unix seconds) and ``runId``; task events carry ``id`` and ``family``.
A field whose value is unknown (no user frame, no duration yet) is left out, never null.

===========  ===============================================================================
type         other fields
===========  ===============================================================================
run          file, task, params ({name: raw value}), workers, scheduler, pid, python, luigi
discovered   module, params, parent (id of the task that requires it; absent for the root
             and for dynamic dependencies yielded from run())
complete     (already complete, will not run)
missing      (external data absent: the task cannot run)
started      attempt (a task that yields dynamic dependencies starts again once they are done)
progress     percentage and/or message (``set_progress_percentage``, ``set_status_message``)
succeeded    seconds; commits (data commits of this attempt) and aborts, abortSamples
             (ABORTED the client retried) once the Spanner client is in use
failed       phase (run, complete, requires, scheduling, process, timeout), exception,
             message, traceback, file, line (deepest frame in user code), frames, seconds;
             grpcCode and grpcStatus (e.g. 6 ALREADY_EXISTS) for Google API errors;
             mutations (the refused commit's writes), commits, committed (data commits this
             attempt made before failing), completeAfterFailure, aborts, abortSamples
retried      attempt (the scheduler hands out a task that failed earlier in this run)
summary      status (Luigi's LuigiStatusCode name, or INTERRUPTED), success, seconds,
             summaryText, tasks: [{id, family, status, seconds}]
error        message, fix, file, line: the run could not start or Luigi gave up (exit code 2)
commit       only with --trace-commits: commit (run-wide number), tables ({table: rows}),
             timestamp, tag, file, line (user call site), writes (each with operation, table,
             rows, columns and up to 20 values, or keys for deletes, or a DML statement)
fault        only with --fail-after-commits / --kill-at-random: kind, point (before-commit,
             after-commit), commit, pid, file, line; the process running the task then dies
             by SIGKILL (with one worker that is the runner itself: no summary follows)
forced       only with --force: deleted ([{table, updateId, existed}]), kept (other outputs)
===========  ===============================================================================

Debugger options
----------------
A *data commit* is a successful commit of a batch or read-write transaction that carried
mutations or DML. The hooks wrap the client's classes (``Batch.commit``, ``Transaction.commit``,
the mutation methods and the abort-retry delay), never user code. ``--fail-after-commits N``
kills the task process right after the run's Nth data commit; ``--kill-at-random SEED`` kills it
before or after a data commit drawn from SEED among the first ``--kill-horizon`` ones. Callers
that cannot add arguments set LUIGI_SPANNER_FAIL_AFTER_COMMITS, LUIGI_SPANNER_KILL_AT_RANDOM,
LUIGI_SPANNER_KILL_HORIZON, LUIGI_SPANNER_TRACE_COMMITS=1 or LUIGI_SPANNER_FORCE=1 instead.
``--force`` (emulator only) deletes the requested task's own luigi_spanner marker rows first.

Task statuses in the summary: succeeded, complete, failed, missing, upstream_failed,
upstream_missing, scheduling_error, upstream_scheduling_error, run_by_other_worker,
upstream_run_by_other_worker, not_run, pending; after an interruption also interrupted.
``seconds`` is the wall time from dispatch to result as the scheduling process saw it.

Exit codes: 0 when Luigi reports SUCCESS or SUCCESS_WITH_RETRY, 1 when the run failed,
2 when the run could not start (bad arguments, pipeline import error, unknown task or
parameter, central scheduler unreachable), 130 when interrupted by SIGINT or SIGTERM
(a summary with status INTERRUPTED is still written).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import importlib.util
import json
import multiprocessing
import os
import re
import sys
import sysconfig
import threading
import time
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NoReturn, Optional

import luigi_spanner
from luigi_spanner import contract

EVENT_PREFIX = contract.EVENT_PREFIX
RUNNER_DIR = Path(__file__).resolve().parent

# Same variable and format as luigi_spanner.audit, which reads it.
RUN_ID_ENV = contract.ENV_RUN_ID


def new_run_id() -> str:
    """A time-sortable, unique id such as ``20261125T180900Z-1a2b3c4d``."""
    import datetime
    import secrets

    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


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


# ---------------------------------------------------------------------------------------------
# Where did it fail: the deepest frame that belongs to the user's code.

_LIBRARY_ROOTS = tuple(
    {
        os.path.realpath(p)
        for p in (
            sysconfig.get_paths().get("stdlib"),
            sysconfig.get_paths().get("platstdlib"),
            sysconfig.get_paths().get("purelib"),
            sysconfig.get_paths().get("platlib"),
            str(RUNNER_DIR / "luigi_spanner"),
        )
        if p
    }
)
_TRACEBACK_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>.+)$', re.MULTILINE)


def is_user_file(filename: str) -> bool:
    if not filename or filename.startswith("<"):
        return False
    real = os.path.realpath(filename)
    if real == os.path.realpath(__file__):
        return False
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


# ---------------------------------------------------------------------------------------------
# Run state and Luigi hooks.


@dataclass
class RunState:
    channel: EventChannel
    tasks: dict[str, Any] = field(default_factory=dict)
    started_at: dict[str, float] = field(default_factory=dict)
    processing_seconds: dict[str, float] = field(default_factory=dict)
    failures: collections.Counter = field(default_factory=collections.Counter)
    dispatched_at: dict[str, float] = field(default_factory=dict)
    wall_seconds: dict[str, float] = field(default_factory=dict)
    requires_failed: set[str] = field(default_factory=set)
    complete_failed: set[str] = field(default_factory=set)
    last_status: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hooks: Optional["SpannerClientHooks"] = None

    def task_fields(self, task: Any) -> dict[str, Any]:
        return {"id": task.task_id, "family": task.task_family}

    def discover(self, task: Any, parent: Optional[Any]) -> None:
        with self.lock:
            if task.task_id in self.tasks:
                return
            self.tasks[task.task_id] = task
        self.channel.emit(
            "discovered",
            **self.task_fields(task),
            module=task.task_module,
            params=task.to_str_params(),
            parent=parent.task_id if parent is not None else None,
        )


def install_event_handlers(state: RunState) -> None:
    import luigi

    emit = state.channel.emit

    on = luigi.Task.event_handler

    @on(luigi.Event.DEPENDENCY_DISCOVERED)
    def on_discovered(task: Any, dependency: Any) -> None:
        state.discover(task, None)
        state.discover(dependency, task)

    @on(luigi.Event.DEPENDENCY_PRESENT)
    def on_present(task: Any) -> None:
        state.discover(task, None)
        emit("complete", **state.task_fields(task))

    @on(luigi.Event.DEPENDENCY_MISSING)
    def on_missing(task: Any) -> None:
        # Also fired when complete() raised; that case is reported as a failure instead.
        if task.task_id in state.complete_failed:
            return
        state.discover(task, None)
        emit("missing", **state.task_fields(task))

    @on(luigi.Event.START)
    def on_start(task: Any) -> None:
        state.started_at[task.task_id] = time.time()
        if state.hooks is not None:
            state.hooks.task_started(task)
        emit("started", **state.task_fields(task), attempt=state.failures[task.task_id] + 1)

    @on(luigi.Event.PROCESSING_TIME)
    def on_processing_time(task: Any, seconds: float) -> None:
        state.processing_seconds[task.task_id] = seconds

    @on(luigi.Event.SUCCESS)
    def on_success(task: Any) -> None:
        seconds = state.processing_seconds.get(task.task_id)
        if seconds is None and task.task_id in state.started_at:
            seconds = time.time() - state.started_at[task.task_id]
        extra = state.hooks.success_fields(task) if state.hooks is not None else {}
        emit("succeeded", **state.task_fields(task), seconds=_round(seconds), **extra)

    @on(luigi.Event.FAILURE)
    def on_failure(task: Any, error: BaseException) -> None:
        started = state.started_at.get(task.task_id)
        emit(
            "failed",
            **state.task_fields(task),
            phase="run",
            exception=type(error).__name__,
            message=str(error),
            traceback="".join(traceback.format_exception(type(error), error, error.__traceback__)),
            seconds=_round(time.time() - started) if started else None,
            **describe_failure(task, frames_of_exception(error)),
            **(state.hooks.failure_fields(task, error) if state.hooks is not None else {}),
        )

    @on(luigi.Event.BROKEN_TASK)
    def on_broken(task: Any, error: BaseException) -> None:
        state.discover(task, None)
        phase = "requires" if task.task_id in state.requires_failed else "scheduling"
        emit(
            "failed",
            **state.task_fields(task),
            phase=phase,
            exception=type(error).__name__,
            message=str(error),
            traceback="".join(traceback.format_exception(type(error), error, error.__traceback__)),
            seconds=None,
            **describe_failure(task, frames_of_exception(error)),
            **({"grpcCode": status[0], "grpcStatus": status[1]} if (status := grpc_status(error)) else {}),
        )

    def on_process_end(phase: str) -> Callable[[Any, str], None]:
        def handler(task: Any, message: str) -> None:
            emit(
                "failed",
                **state.task_fields(task),
                phase=phase,
                exception=None,
                message=message,
                traceback=None,
                seconds=None,
                **describe_failure(task, []),
            )

        return handler

    on(luigi.Event.PROCESS_FAILURE)(on_process_end("process"))
    on(luigi.Event.TIMEOUT)(on_process_end("timeout"))

    @on(luigi.Event.PROGRESS)
    def on_progress(task: Any, *args: Any, **kwargs: Any) -> None:
        # Luigi defines this event but never fires it: pipelines may, with a percentage.
        percentage = kwargs.get("percentage", args[0] if args else None)
        emit("progress", **state.task_fields(task), percentage=percentage, message=kwargs.get("message"))


def _round(seconds: Optional[float]) -> Optional[float]:
    return round(seconds, 6) if seconds is not None else None


class ReportingScheduler:
    """Forwards to Luigi's scheduler; reports the progress and status messages tasks send it.

    ``Task.set_progress_percentage`` and ``set_status_message`` only reach the scheduler
    (they fire no event), so this is where they can be seen, in whichever process runs the task.
    """

    def __init__(self, inner: Any, state: RunState) -> None:
        self._inner = inner
        self._state = state

    def _family(self, task_id: str) -> str:
        task = self._state.tasks.get(task_id)  # every task is discovered before it can run
        return task.task_family if task is not None else ""

    def set_task_progress_percentage(self, task_id: str, progress_percentage: Any) -> Any:
        self._state.channel.emit("progress", id=task_id, family=self._family(task_id), percentage=progress_percentage)
        return self._inner.set_task_progress_percentage(task_id, progress_percentage)

    def set_task_status_message(self, task_id: str, status_message: Any) -> Any:
        self._state.channel.emit("progress", id=task_id, family=self._family(task_id), message=status_message)
        return self._inner.set_task_status_message(task_id, status_message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def make_worker_scheduler_factory(state: RunState) -> Any:
    import luigi.interface
    import luigi.worker
    from luigi.scheduler import DONE, FAILED

    class ReportingWorker(luigi.worker.Worker):
        def add(self, task: Any, *args: Any, **kwargs: Any) -> bool:
            # Roots are discovered already; this catches dynamic dependencies yielded by run().
            state.discover(task, None)
            return super().add(task, *args, **kwargs)

        def _run_task(self, task_id: str) -> None:
            if task_id not in self._running_tasks:
                state.dispatched_at[task_id] = time.time()
                if state.failures[task_id]:
                    task = self._scheduled_tasks[task_id]
                    state.channel.emit("retried", **state.task_fields(task), attempt=state.failures[task_id] + 1)
            super()._run_task(task_id)

        def _add_task(self, *args: Any, **kwargs: Any) -> None:
            task_id, status = kwargs.get("task_id"), kwargs.get("status")
            state.last_status[task_id] = status
            if status in (DONE, FAILED) and task_id in state.dispatched_at:
                state.wall_seconds[task_id] = time.time() - state.dispatched_at.pop(task_id)
                if status == FAILED:
                    state.failures[task_id] += 1
            super()._add_task(*args, **kwargs)

        def _log_complete_error(self, task: Any, tb: str) -> None:
            super()._log_complete_error(task, tb)
            state.complete_failed.add(task.task_id)
            state.discover(task, None)
            exception, message = _exception_from_text(tb)
            state.channel.emit(
                "failed",
                **state.task_fields(task),
                phase="complete",
                exception=exception,
                message=message,
                traceback=tb,
                seconds=None,
                **describe_failure(task, frames_of_text(tb)),
            )

        def _log_dependency_error(self, task: Any, tb: str) -> None:
            super()._log_dependency_error(task, tb)
            state.requires_failed.add(task.task_id)

    class Factory(luigi.interface._WorkerSchedulerFactory):
        def create_local_scheduler(self) -> Any:
            return ReportingScheduler(super().create_local_scheduler(), state)

        def create_remote_scheduler(self, url: str) -> Any:
            return ReportingScheduler(super().create_remote_scheduler(url), state)

        def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
            return ReportingWorker(scheduler=scheduler, worker_processes=worker_processes, assistant=assistant)

    return Factory()


def _exception_from_text(tb: str) -> tuple[Optional[str], str]:
    last = next((line for line in reversed(tb.strip().splitlines()) if line.strip()), "")
    name, sep, message = last.partition(": ")
    if sep and re.fullmatch(r"[A-Za-z_][\w.]*", name):
        return name.rsplit(".", 1)[-1], message
    return None, last


# Order matters: a task that failed and then succeeded on retry is "succeeded".
_SUMMARY_STATUSES = (
    ("completed", "succeeded"),
    ("already_done", "complete"),
    ("failed", "failed"),
    ("scheduling_error", "scheduling_error"),
    ("still_pending_ext", "missing"),
    ("upstream_failure", "upstream_failed"),
    ("upstream_missing_dependency", "upstream_missing"),
    ("upstream_scheduling_error", "upstream_scheduling_error"),
    ("upstream_run_by_other_worker", "upstream_run_by_other_worker"),
    ("run_by_other_worker", "run_by_other_worker"),
    ("not_run", "not_run"),
    ("still_pending_not_ext", "pending"),
)


def summarize_tasks(worker: Any, state: RunState) -> list[dict[str, Any]]:
    from luigi.execution_summary import _summary_dict

    groups = _summary_dict(worker)
    status_of: dict[str, str] = {}
    for group, status in _SUMMARY_STATUSES:
        for task in groups.get(group, ()):
            status_of.setdefault(task.task_id, status)
    tasks = []
    for task_id, task in worker._scheduled_tasks.items():
        tasks.append(task_summary(task_id, task, status_of.get(task_id, "pending"), state))
    return tasks


def task_summary(task_id: str, task: Any, status: str, state: RunState) -> dict[str, Any]:
    """One task of the summary; ``seconds`` left out when the task never ran here (never null)."""
    summary = {"id": task_id, "family": task.task_family, "status": status}
    seconds = state.wall_seconds.get(task_id)
    if seconds is not None:
        summary["seconds"] = _round(seconds)
    return summary


# ---------------------------------------------------------------------------------------------
# Spanner client hooks (the duplicate-insert debugger): what each task commits, how often
# Spanner aborted it, and the faults the debugger injects. They wrap the client's own classes
# (google.cloud.spanner_v1), so user code is never edited and every way of writing is seen:
# database.batch(), run_in_transaction, session.transaction().

FAIL_AFTER_COMMITS_ENV = contract.ENV_FAIL_AFTER_COMMITS
KILL_AT_RANDOM_ENV = contract.ENV_KILL_AT_RANDOM
KILL_HORIZON_ENV = contract.ENV_KILL_HORIZON
TRACE_COMMITS_ENV = contract.ENV_TRACE_COMMITS
FORCE_ENV = contract.ENV_FORCE
#: The client's sentinel for "the commit timestamp" (spanner.COMMIT_TIMESTAMP), kept as text in events.
COMMIT_TIMESTAMP_SENTINEL = "spanner.commit_timestamp()"
#: Rows of one mutation copied into an event: enough to find a conflicting key, small enough to send.
EVENT_ROWS_FAILED = 200
EVENT_ROWS_TRACED = 20
MAX_LISTED_COMMITS = 20
MAX_ABORT_SAMPLES = 3


@dataclass(frozen=True)
class FaultPlan:
    """What the debugger asked for: a cut after the Nth data commit, a kill at a seeded random
    commit boundary, and/or a ``commit`` event per data commit."""

    fail_after_commits: Optional[int] = None
    kill_seed: Optional[int] = None
    kill_horizon: int = 8
    trace_commits: bool = False

    @property
    def active(self) -> bool:
        return self.fail_after_commits is not None or self.kill_seed is not None or self.trace_commits

    def kill_point(self) -> Optional[tuple[int, str]]:
        """(data commit number, before-commit or after-commit), drawn from the seed alone so a
        chaos run can be replayed exactly."""
        if self.kill_seed is None:
            return None
        import random

        rng = random.Random(self.kill_seed)
        return rng.randint(1, max(1, self.kill_horizon)), rng.choice(("before-commit", "after-commit"))


def json_value(value: Any) -> Any:
    """A mutation value as JSON that keeps keys exact (big INT64 and NUMERIC as text)."""
    import base64
    import datetime
    import decimal

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


@dataclass
class Write:
    """One mutation or DML statement queued on a batch or transaction, with its user call site."""

    operation: str
    table: Optional[str]
    columns: tuple[str, ...]
    values: Any
    site: Optional[dict[str, Any]]
    statement: Optional[str] = None

    @property
    def row_count(self) -> int:
        if self.operation == "delete":
            keys = getattr(self.values, "keys", None)
            return len(keys) if keys else 0
        return len(self.values) if isinstance(self.values, (list, tuple)) else 0

    def describe(self, max_rows: int) -> dict[str, Any]:
        described: dict[str, Any] = {"operation": self.operation, "rows": self.row_count}
        if self.table is not None:
            described["table"] = self.table
        if self.statement is not None:
            described["statement"] = self.statement[:500]
        if self.operation == "delete":
            keys = getattr(self.values, "keys", None) or []
            described["keys"] = [json_value(list(k) if isinstance(k, (list, tuple)) else [k]) for k in keys[:max_rows]]
            if getattr(self.values, "all_", False):
                described["all"] = True
        elif self.columns:
            described["columns"] = list(self.columns)
            described["values"] = [json_value(list(row)) for row in list(self.values)[:max_rows]]
        if self.site:
            described.update(file=self.site["file"], line=self.site["line"])
        return described


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


@dataclass
class TaskActivity:
    """What one attempt of a task did through the client, in the process that ran it."""

    commits: list[dict[str, Any]] = field(default_factory=list)
    commit_count: int = 0
    aborts: int = 0
    abort_samples: list[dict[str, Any]] = field(default_factory=list)


class SpannerClientHooks:
    """Wraps the client's write, commit and abort-retry paths. One per run; forked task
    processes inherit it, and the data-commit counter is shared across them."""

    def __init__(self, channel: EventChannel, plan: FaultPlan) -> None:
        self.channel = channel
        self.plan = plan
        self.kill_point = plan.kill_point()
        # Shared by the task processes Luigi forks (--workers > 1): the Nth commit is counted run-wide.
        self.data_commits = multiprocessing.Value("i", 0)
        self.installed = False
        self.current_task: Optional[Any] = None
        self.activity: dict[str, TaskActivity] = {}

    # Task context, set by the START handler in whichever process runs the task.
    def task_started(self, task: Any) -> None:
        self.current_task = task
        self.activity[task.task_id] = TaskActivity()
        if not self.installed and "google.cloud.spanner_v1" in sys.modules:
            self.install()

    def activity_of(self, task: Any) -> Optional[TaskActivity]:
        return self.activity.get(task.task_id)

    def _task_fields(self) -> dict[str, Any]:
        task = self.current_task
        return {"id": task.task_id, "family": task.task_family} if task is not None else {}

    def _current_activity(self) -> Optional[TaskActivity]:
        task = self.current_task
        return self.activity.get(task.task_id) if task is not None else None

    def install(self) -> None:
        if self.installed:
            return
        self.installed = True
        from google.cloud.spanner_v1 import _helpers, batch, session, transaction

        hooks = self

        def record(operation: str) -> Callable[..., Any]:
            original = getattr(batch._BatchBase, operation)

            if operation == "delete":

                def queue(self: Any, table: str, keyset: Any) -> Any:
                    result = original(self, table, keyset)
                    self.__dict__.setdefault("_luigi_spanner_writes", []).append(
                        Write(operation, table, (), keyset, user_call_site())
                    )
                    return result

            else:

                def queue(self: Any, table: str, columns: Any, values: Any) -> Any:
                    # A generator would be spent by the client: keep the rows as a list.
                    values = values if isinstance(values, (list, tuple)) else list(values)
                    result = original(self, table, columns, values)
                    self.__dict__.setdefault("_luigi_spanner_writes", []).append(
                        Write(operation, table, tuple(columns), values, user_call_site())
                    )
                    return result

            queue.__wrapped__ = original  # type: ignore[attr-defined]
            return queue

        for operation in ("insert", "update", "insert_or_update", "replace", "delete"):
            setattr(batch._BatchBase, operation, record(operation))

        def record_dml(name: str) -> Callable[..., Any]:
            original = getattr(transaction.Transaction, name)

            def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
                # Positional or keyword (`dml=` for execute_update, `statements=` for batch_update).
                statement = args[0] if args else kwargs.get("dml", kwargs.get("statements", ""))
                text = statement if isinstance(statement, str) else "; ".join(
                    s if isinstance(s, str) else str(s[0]) for s in statement
                )
                writes = self.__dict__.setdefault("_luigi_spanner_writes", [])
                writes.append(Write("dml", None, (), [], user_call_site(), statement=text))
                try:
                    return original(self, *args, **kwargs)
                except BaseException as error:
                    # A refused statement fails here, before any commit: keep it for the failed event.
                    with contextlib.suppress(Exception):
                        error._luigi_spanner_writes = [w.describe(EVENT_ROWS_FAILED) for w in writes]  # type: ignore[attr-defined]
                    raise

            execute.__wrapped__ = original  # type: ignore[attr-defined]
            return execute

        for name in ("execute_update", "batch_update"):
            setattr(transaction.Transaction, name, record_dml(name))

        def wrap_commit(cls: type) -> None:
            original = cls.commit

            def commit(self: Any, *args: Any, **kwargs: Any) -> Any:
                writes = self.__dict__.get("_luigi_spanner_writes") or []
                is_data = bool(writes) or bool(getattr(self, "_mutations", None))
                if is_data:
                    hooks.before_data_commit()
                try:
                    result = original(self, *args, **kwargs)
                except BaseException as error:
                    # Kept on the exception: the failed event shows the rows the refused commit carried.
                    with contextlib.suppress(Exception):
                        error._luigi_spanner_writes = [w.describe(EVENT_ROWS_FAILED) for w in writes]  # type: ignore[attr-defined]
                    raise
                if is_data:
                    hooks.after_data_commit(self, writes, result)
                return result

            commit.__wrapped__ = original  # type: ignore[attr-defined]
            cls.commit = commit

        wrap_commit(batch.Batch)
        wrap_commit(transaction.Transaction)

        # Every ABORTED that the client retries (run_in_transaction, batch commits) passes here.
        original_delay = _helpers._delay_until_retry

        def delay_until_retry(exc: BaseException, *args: Any, **kwargs: Any) -> Any:
            hooks.aborted(exc)
            return original_delay(exc, *args, **kwargs)

        for module in (_helpers, session):
            if getattr(module, "_delay_until_retry", None) is original_delay:
                module._delay_until_retry = delay_until_retry

    def before_data_commit(self) -> None:
        if self.kill_point is None:
            return
        commit, point = self.kill_point
        if point == "before-commit" and self.data_commits.value + 1 == commit:
            self.fault("kill-at-random", point, commit, user_call_site())

    def after_data_commit(self, committed: Any, writes: list[Write], timestamp: Any) -> None:
        with self.data_commits.get_lock():
            self.data_commits.value += 1
            number = self.data_commits.value
        site = user_call_site()
        tables: dict[str, int] = {}
        for write in writes:
            if write.table is not None:
                tables[write.table] = tables.get(write.table, 0) + write.row_count
        summary: dict[str, Any] = {"commit": number, "tables": tables}
        if timestamp is not None:
            summary["timestamp"] = json_value(timestamp)
        if site:
            summary.update(file=site["file"], line=site["line"])
        activity = self._current_activity()
        if activity is not None:
            activity.commit_count += 1
            if len(activity.commits) < MAX_LISTED_COMMITS:
                activity.commits.append(summary)
        if self.plan.trace_commits:
            self.channel.emit(
                "commit",
                **self._task_fields(),
                **summary,
                tag=getattr(committed, "transaction_tag", None) or None,
                writes=[w.describe(EVENT_ROWS_TRACED) for w in writes],
            )
        if self.plan.fail_after_commits is not None and number == self.plan.fail_after_commits:
            self.fault("fail-after-commits", "after-commit", number, site)
        if self.kill_point == (number, "after-commit"):
            self.fault("kill-at-random", "after-commit", number, site)

    def aborted(self, error: BaseException) -> None:
        activity = self._current_activity()
        if activity is None:
            return
        activity.aborts += 1
        if len(activity.abort_samples) < MAX_ABORT_SAMPLES:
            sample: dict[str, Any] = {"message": str(error)[:300]}
            site = user_call_site()
            if site:
                sample.update(file=site["file"], line=site["line"])
            activity.abort_samples.append(sample)

    def fault(self, kind: str, point: str, commit: int, site: Optional[dict[str, Any]]) -> NoReturn:
        """Dies the way a preempted or OOM-killed worker does: SIGKILL, no cleanup, no Luigi event."""
        import signal

        self.channel.emit(
            "fault",
            **self._task_fields(),
            kind=kind,
            point=point,
            commit=commit,
            pid=os.getpid(),
            file=site["file"] if site else None,
            line=site["line"] if site else None,
        )
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        raise SystemExit(EXIT_RUN_FAILED)  # not reached: SIGKILL cannot be caught

    def failure_fields(self, task: Any, error: Optional[BaseException]) -> dict[str, Any]:
        """Extra fields of a failed event: the gRPC status, the refused commit's rows, and what
        the attempt had already committed (rows a rerun will meet when the marker is missing)."""
        fields: dict[str, Any] = {}
        if error is not None:
            status = grpc_status(error)
            if status is not None:
                fields["grpcCode"], fields["grpcStatus"] = status
            writes = getattr(error, "_luigi_spanner_writes", None)
            if writes:
                fields["mutations"] = writes
        activity = self.activity_of(task)
        if activity is not None:
            fields["commits"] = activity.commit_count
            if activity.commits:
                fields["committed"] = activity.commits
                try:
                    fields["completeAfterFailure"] = bool(task.complete())
                except Exception:
                    pass
            if activity.aborts:
                fields["aborts"] = activity.aborts
                fields["abortSamples"] = activity.abort_samples
        return fields

    def success_fields(self, task: Any) -> dict[str, Any]:
        activity = self.activity_of(task)
        if activity is None:
            return {}
        fields: dict[str, Any] = {"commits": activity.commit_count}
        if activity.aborts:
            fields["aborts"] = activity.aborts
            fields["abortSamples"] = activity.abort_samples
        return fields


def fault_plan_from(args: argparse.Namespace) -> FaultPlan:
    """Options win over the environment (how callers that cannot add arguments ask for faults).
    The variables are removed so a pipeline that starts another runner does not inherit them."""
    def env_int(name: str) -> Optional[int]:
        text = os.environ.pop(name, None)
        if text is None or not text.strip():
            return None
        try:
            return int(text)
        except ValueError:
            raise StartError(f"{name}={text!r} is not a whole number.", f"Set {name} to a number, or unset it.") from None

    plan = FaultPlan(
        fail_after_commits=args.fail_after_commits if args.fail_after_commits is not None else env_int(FAIL_AFTER_COMMITS_ENV),
        kill_seed=args.kill_at_random if args.kill_at_random is not None else env_int(KILL_AT_RANDOM_ENV),
        kill_horizon=args.kill_horizon if args.kill_horizon is not None else (env_int(KILL_HORIZON_ENV) or 8),
        trace_commits=args.trace_commits or os.environ.pop(TRACE_COMMITS_ENV, "") not in ("", "0", "false"),
    )
    if plan.fail_after_commits is not None and plan.fail_after_commits < 1:
        raise StartError("--fail-after-commits must be 1 or more.", "Pass the number of data commits to let through, e.g. 1.")
    if plan.kill_horizon < 1:
        raise StartError("--kill-horizon must be 1 or more.", "Pass how many data commits a clean run makes.")
    return plan


def force_rerun(task: Any, channel: EventChannel) -> None:
    """Deletes the task's own completion markers (luigi_spanner marker rows) so it runs again.

    Only against the emulator: a marker in a real database is the record that data was
    written, and deleting it there would make the next run write the data twice.
    """
    host = os.environ.get("SPANNER_EMULATOR_HOST")
    if not host:
        raise StartError(
            "--force deletes completion markers, so it only runs against the Spanner emulator, and SPANNER_EMULATOR_HOST is not set.",
            "Run through `luigi-spanner run ... --force` (it targets the emulator), or delete the marker row yourself.",
        )
    from luigi.task import flatten
    from google.cloud.spanner_v1.keyset import KeySet
    from luigi_spanner.settings import connect
    from luigi_spanner.target import SpannerMarkerTarget

    deleted: list[dict[str, Any]] = []
    kept: list[str] = []
    for target in flatten(task.output()):
        if not isinstance(target, SpannerMarkerTarget):
            kept.append(str(target))
            continue
        settings = target.settings
        if not settings.emulator_host:
            raise StartError(
                f"--force refuses: {target} is not in an emulator database ({settings.describe()}).",
                "Point SPANNER_EMULATOR_HOST at the emulator that holds the run's database.",
            )
        existed = target.exists()
        table, update_id = settings.marker_table, target.update_id
        connect(settings).run_in_transaction(lambda txn: txn.delete(table, KeySet(keys=[[update_id]])))
        deleted.append({"table": table, "updateId": update_id, "existed": existed})
    channel.emit("forced", id=task.task_id, family=task.task_family, deleted=deleted, kept=kept or None)
    if task.complete():
        raise StartError(
            f"--force cannot make {task.task_family} run: it is still complete after its luigi_spanner markers were deleted"
            + (f" (other outputs: {', '.join(kept)})." if kept else "."),
            "Remove those outputs yourself, or give the task a luigi_spanner marker (SpannerTask).",
        )


# ---------------------------------------------------------------------------------------------
# Starting early: the caller spawns the runner while it provisions the database.


def preload_for(pipeline_path: Path) -> None:
    """Import what the pipeline will import anyway, while the caller is still provisioning:
    the Spanner client alone costs 0.5-0.8 s. Guessed from the pipeline's text, so a pipeline
    without Spanner does not pay for it; a wrong guess only costs time, never correctness."""
    try:
        source = pipeline_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # load_pipeline reports it
    wanted = ["luigi_spanner"] if "luigi_spanner" in source else ["google.cloud.spanner"] if "spanner" in source else []
    for name in wanted:
        try:
            importlib.import_module(name)
        except Exception:
            pass  # the pipeline's own import reports it, at its line


def await_go() -> None:
    """Block until the caller writes 'go' (its database is ready). End of input or anything
    else means it gave up (provisioning failed, or the run was cancelled): leave quietly."""
    line = sys.stdin.readline()
    # The pipeline gets an empty stdin, as a run without --await-go has.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if line.strip() != "go":
        raise SystemExit(EXIT_CANNOT_START)


# ---------------------------------------------------------------------------------------------
# Loading the pipeline and building the task.


def load_pipeline(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise StartError(f"Pipeline file {path} does not exist.", "Pass the path of a .py file with --file.")
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # Luigi looks task modules up by name (dynamic dependencies go through load_task): register
    # it under its own name, unless that would shadow a module (a pipeline called csv.py).
    shadows = path.stem in sys.modules or path.stem in sys.stdlib_module_names
    name = path.stem if path.stem.isidentifier() and not shadows else f"_luigi_spanner_pipeline_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StartError(f"{path} cannot be imported as a Python module.", "Pass a .py file with --file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise StartError(
            f"{path.name} has a syntax error: {error.msg}.",
            "Fix the syntax error, then run again.",
            error.filename,
            error.lineno,
        ) from error
    except Exception as error:
        own = user_frames(frames_of_exception(error))
        where = own[-1] if own else {"file": str(path), "line": None}
        fix = (
            "Install the missing module into the managed venv, or put its folder on PYTHONPATH."
            if isinstance(error, ImportError)
            else "Fix the error raised while the module loads, then run again."
        )
        raise StartError(
            f"Importing {path.name} failed: {type(error).__name__}: {error}", fix, where["file"], where["line"]
        ) from error
    return module


def find_task_class(module: types.ModuleType, name: str) -> type:
    import luigi
    from luigi.task_register import Register, TaskClassException

    found = getattr(module, name, None)
    if isinstance(found, type) and issubclass(found, luigi.Task):
        return found
    try:
        return Register.get_task_cls(name)
    except TaskClassException:
        pass
    available = sorted(
        value.__name__
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, luigi.Task) and value.__module__ == module.__name__
    )
    raise StartError(
        f'No Luigi task "{name}" in {module.__file__}.',
        f"Pass one of: {', '.join(available)}." if available else "Define a luigi.Task subclass in the file.",
    )


def build_task(task_class: type, raw_params: list[str]) -> Any:
    from luigi.parameter import MissingParameterException

    declared = dict(task_class.get_params())
    values: dict[str, Any] = {}
    for raw in raw_params:
        key, sep, text = raw.partition("=")
        name = key.strip().lstrip("-").replace("-", "_")
        if not sep or not name:
            raise StartError(f'Parameter "{raw}" is not NAME=VALUE.', "Write it as --param name=value.")
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise StartError(
                f'{task_class.__name__} has no parameter "{name}".', f"Parameters of {task_class.__name__}: {known}."
            )
        try:
            values[name] = declared[name].parse(text)
        except Exception as error:
            raise StartError(
                f'Value "{text}" of parameter "{name}" is invalid: {error}',
                f"Pass a value {type(declared[name]).__name__} accepts.",
            ) from error
    try:
        return task_class(**values)
    except MissingParameterException as error:
        raise StartError(str(error), "Pass it with --param name=value.") from error
    except Exception as error:
        raise StartError(
            f"Creating {task_class.__name__} failed: {type(error).__name__}: {error}",
            "Check the parameter values and the task's __init__.",
        ) from error


# ---------------------------------------------------------------------------------------------


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="runner.py", description="Run a Luigi task and report its events as JSON lines."
    )
    parser.add_argument("--file", required=True, type=Path, help="pipeline .py file")
    parser.add_argument("--task", required=True, help="task class name (or registered family)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="task parameter, repeatable")
    parser.add_argument("--workers", type=int, default=1, help="Luigi worker processes (default 1)")
    parser.add_argument("--scheduler-host", help="central luigid host (default: local scheduler)")
    parser.add_argument("--scheduler-port", type=int, default=8082, help="central luigid port (default 8082)")
    parser.add_argument("--events-fd", type=int, help="write events to this open file descriptor instead of stdout")
    parser.add_argument("--run-id", help="run id recorded in completion markers (default: generated)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    parser.add_argument(
        "--await-go", action="store_true",
        help="load Luigi and the Spanner client, then wait for a 'go' line on stdin before importing the pipeline "
        "(the caller provisions the database meanwhile); anything else, or end of input, exits with 2",
    )
    debugging = parser.add_argument_group("debugger (fault injection and force rerun)")
    debugging.add_argument(
        "--fail-after-commits", type=int, metavar="N",
        help=f"kill the task process right after the run's Nth successful data commit (env {FAIL_AFTER_COMMITS_ENV})",
    )
    debugging.add_argument(
        "--kill-at-random", type=int, metavar="SEED",
        help=f"kill the process running a task before or after a data commit drawn from SEED (env {KILL_AT_RANDOM_ENV})",
    )
    debugging.add_argument(
        "--kill-horizon", type=int, metavar="N",
        help=f"--kill-at-random draws among the first N data commits, default 8 (env {KILL_HORIZON_ENV})",
    )
    debugging.add_argument(
        "--trace-commits", action="store_true", help=f"emit a commit event per data commit (env {TRACE_COMMITS_ENV}=1)"
    )
    debugging.add_argument(
        "--force", action="store_true",
        help=f"emulator only: delete the task's own luigi_spanner markers first so it runs again (env {FORCE_ENV}=1)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    return args


def open_channel(args: argparse.Namespace, run_id: str) -> EventChannel:
    if args.events_fd is not None:
        try:
            os.fstat(args.events_fd)
        except OSError:
            sys.stderr.write(f"error: --events-fd {args.events_fd} is not an open file descriptor.\n")
            sys.stderr.write("fix:   open a pipe on that descriptor before starting the runner.\n")
            raise SystemExit(EXIT_CANNOT_START)
        # User subprocesses must not hold the caller's pipe open (it would never see EOF).
        os.set_inheritable(args.events_fd, False)
        return EventChannel(args.events_fd, run_id)
    sys.stdout.flush()
    events_fd = os.dup(1)  # not inherited by exec'd children: user subprocesses cannot write events
    os.dup2(2, 1)  # from here on, fd 1 (print, C code, subprocesses) is stderr
    return EventChannel(events_fd, run_id)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    run_started = time.time()
    # Exported so the markers written by this run, in this process or forked ones, carry it.
    run_id = args.run_id or os.environ.get(RUN_ID_ENV) or new_run_id()
    os.environ[RUN_ID_ENV] = run_id
    channel = open_channel(args, run_id)
    if str(RUNNER_DIR) not in sys.path:
        sys.path.insert(0, str(RUNNER_DIR))

    import luigi

    scheduler = f"{args.scheduler_host}:{args.scheduler_port}" if args.scheduler_host else "local"
    pipeline_path = args.file.resolve()
    if args.await_go:
        preload_for(pipeline_path)
        await_go()
        run_started = time.time()
    channel.emit(
        "run",
        file=str(pipeline_path),
        task=args.task,
        params=dict(p.partition("=")[::2] for p in args.param),
        workers=args.workers,
        scheduler=scheduler,
        pid=os.getpid(),
        python=sys.version.split()[0],
        luigi=getattr(luigi, "__version__", None),
        luigiSpanner=luigi_spanner.__version__,
    )
    try:
        plan = fault_plan_from(args)
        module = load_pipeline(pipeline_path)
        task = build_task(find_task_class(module, args.task), args.param)
        if args.force or os.environ.pop(FORCE_ENV, "") not in ("", "0", "false"):
            try:
                force_rerun(task, channel)
            except StartError:
                raise
            except Exception as error:
                raise StartError(
                    f"--force could not delete the completion marker of {task.task_family}: {type(error).__name__}: {error}",
                    "Check that the run's database exists on the emulator and has the marker table.",
                ) from error
    except StartError as error:
        channel.emit("error", message=error.message, fix=error.fix, file=error.file, line=error.line)
        sys.stderr.write(f"error: {error.message}\nfix:   {error.fix}\n")
        return EXIT_CANNOT_START

    state = RunState(channel, hooks=SpannerClientHooks(channel, plan))
    # After --force, so deleting the marker is not counted as one of the run's commits. Pipelines
    # that import the client lazily get the hooks when a task starts (see task_started).
    if plan.active or "google.cloud.spanner_v1" in sys.modules:
        state.hooks.install()
    install_event_handlers(state)
    state.discover(task, None)
    build_options: dict[str, Any] = {"workers": args.workers, "log_level": args.log_level}
    if args.scheduler_host:
        build_options.update(local_scheduler=False, scheduler_host=args.scheduler_host, scheduler_port=args.scheduler_port)
    else:
        build_options["local_scheduler"] = True
    interrupt_on_signals(channel)
    try:
        result = luigi.build(
            [task], worker_scheduler_factory=make_worker_scheduler_factory(state), detailed_summary=True, **build_options
        )
    except KeyboardInterrupt:
        # Luigi's worker has already terminated the running task processes.
        channel.emit(
            "summary",
            status="INTERRUPTED",
            success=False,
            seconds=_round(time.time() - run_started),
            summaryText="The run was interrupted (SIGINT or SIGTERM).",
            tasks=interrupted_tasks(state),
        )
        return EXIT_INTERRUPTED
    except Exception as error:
        from luigi.rpc import RPCError

        if isinstance(error, RPCError):
            message = f"The central scheduler at {scheduler} did not answer: {error}"
            fix = "Start luigid there, or drop --scheduler-host to use the local scheduler."
        else:
            message = f"Luigi stopped the run: {type(error).__name__}: {error}"
            fix = "See the traceback on stderr."
            traceback.print_exc()
        channel.emit("error", message=message, fix=fix, file=None, line=None)
        sys.stderr.write(f"error: {message}\nfix:   {fix}\n")
        return EXIT_CANNOT_START
    status = result.status.name
    success = status in ("SUCCESS", "SUCCESS_WITH_RETRY")
    channel.emit(
        "summary",
        status=status,
        success=success,
        seconds=_round(time.time() - run_started),
        summaryText=result.summary_text,
        tasks=summarize_tasks(result.worker, state),
    )
    return EXIT_OK if success else EXIT_RUN_FAILED


def interrupt_on_signals(channel: EventChannel) -> None:
    """Turn SIGTERM (how editors and CI stop a run) and SIGINT into a KeyboardInterrupt that
    unwinds Luigi's worker, which terminates running tasks, so a summary still goes out.

    An interrupt that arrives while an event line is written, or inside an event handler
    (Luigi's trigger_event swallows a KeyboardInterrupt there, losing the stop), is
    re-delivered 10 ms later.
    """
    import signal

    import luigi

    main_pid = os.getpid()
    main_thread = threading.main_thread().ident
    trigger_event_code = luigi.Task.trigger_event.__code__

    def inside_trigger_event(frame: Optional[types.FrameType]) -> bool:
        while frame is not None:
            if frame.f_code is trigger_event_code:
                return True
            frame = frame.f_back
        return False

    def on_signal(signum: int, frame: Optional[types.FrameType]) -> None:
        if os.getpid() != main_pid:  # a forked task process: die as the default handler would
            os._exit(128 + signum)
        if channel.shielded or inside_trigger_event(frame):
            assert main_thread is not None
            threading.Timer(0.01, signal.pthread_kill, (main_thread, signum)).start()
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def interrupted_tasks(state: RunState) -> list[dict[str, Any]]:
    from luigi.scheduler import DONE, FAILED

    tasks = []
    for task_id, task in state.tasks.items():
        last = state.last_status.get(task_id)
        if task_id in state.dispatched_at:
            status = "interrupted"
        elif last == DONE:
            status = "succeeded" if task_id in state.wall_seconds else "complete"
        elif last == FAILED:
            status = "failed"
        else:
            status = "not_run"
        tasks.append(task_summary(task_id, task, status, state))
    return tasks


def _exit(code: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: the Spanner client's background threads must not hold the process open.
    os._exit(code)


if __name__ == "__main__":
    try:
        exit_code = main()
    except SystemExit as stop:
        exit_code = stop.code if isinstance(stop.code, int) else EXIT_CANNOT_START
    except BaseException:
        traceback.print_exc()
        sys.stderr.write("error: the runner itself failed (above); this is a bug in luigi-spanner, not in the pipeline.\n")
        exit_code = EXIT_CANNOT_START
    _exit(exit_code)
