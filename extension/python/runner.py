"""Runner shim: runs one Luigi task from a pipeline file and reports each event as a JSON line.

Executed by the VS Code extension and the ``luigi-spanner run`` CLI with the managed venv::

    python runner.py --file PIPELINE.py --task TASK [--param NAME=VALUE ...] [--workers N]
                     [--scheduler-host HOST [--scheduler-port PORT]] [--events-fd FD]
                     [--run-id ID] [--log-level LEVEL]

The runner imports the pipeline file as a module (its folder first on ``sys.path``, and this
folder too, so ``import luigi_spanner`` works), builds the task with its parameters and runs
it through ``luigi.build(..., detailed_summary=True)``: with the local scheduler by default,
with a central ``luigid`` when ``--scheduler-host`` is given.

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
succeeded    seconds
failed       phase (run, complete, requires, scheduling, process, timeout), exception,
             message, traceback, file, line (deepest frame in user code), frames, seconds
retried      attempt (the scheduler hands out a task that failed earlier in this run)
summary      status (Luigi's LuigiStatusCode name, or INTERRUPTED), success, seconds,
             summaryText, tasks: [{id, family, status, seconds}]
error        message, fix, file, line: the run could not start or Luigi gave up (exit code 2)
===========  ===============================================================================

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

EVENT_PREFIX = "@@luigi-spanner@@ "
RUNNER_DIR = Path(__file__).resolve().parent

# Same variable and format as luigi_spanner.audit, which reads it; not imported from there
# because loading the Spanner client costs ~0.5 s that pipelines without Spanner should not pay.
RUN_ID_ENV = "LUIGI_SPANNER_RUN_ID"


def new_run_id() -> str:
    """A time-sortable, unique id such as ``20261125T180900Z-1a2b3c4d``."""
    import datetime
    import secrets

    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_CANNOT_START = 2
EXIT_INTERRUPTED = 130


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
        emit("started", **state.task_fields(task), attempt=state.failures[task.task_id] + 1)

    @on(luigi.Event.PROCESSING_TIME)
    def on_processing_time(task: Any, seconds: float) -> None:
        state.processing_seconds[task.task_id] = seconds

    @on(luigi.Event.SUCCESS)
    def on_success(task: Any) -> None:
        seconds = state.processing_seconds.get(task.task_id)
        if seconds is None and task.task_id in state.started_at:
            seconds = time.time() - state.started_at[task.task_id]
        emit("succeeded", **state.task_fields(task), seconds=_round(seconds))

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
        tasks.append(
            {
                "id": task_id,
                "family": task.task_family,
                "status": status_of.get(task_id, "pending"),
                "seconds": _round(state.wall_seconds.get(task_id)),
            }
        )
    return tasks


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
    )
    try:
        module = load_pipeline(pipeline_path)
        task = build_task(find_task_class(module, args.task), args.param)
    except StartError as error:
        channel.emit("error", message=error.message, fix=error.fix, file=error.file, line=error.line)
        sys.stderr.write(f"error: {error.message}\nfix:   {error.fix}\n")
        return EXIT_CANNOT_START

    state = RunState(channel)
    install_event_handlers(state)
    state.discover(task, None)
    # Fault injection for the debugger (issue 8) hooks in here, before the build starts.
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
        tasks.append({"id": task_id, "family": task.task_family, "status": status, "seconds": _round(state.wall_seconds.get(task_id))})
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
