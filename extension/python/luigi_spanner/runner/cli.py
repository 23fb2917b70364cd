"""The command line: ``python -m luigi_spanner.runner --file F --task T ...`` (see the package docstring)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback
import types
from pathlib import Path
from typing import Any, NoReturn, Optional

import luigi_spanner

from .. import audit, contract
from .client import SpannerClientHooks
from .events import EXIT_CANNOT_START, EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, EventChannel, StartError
from .faults import FAIL_AFTER_COMMITS_ENV, FORCE_ENV, KILL_AT_RANDOM_ENV, KILL_HORIZON_ENV, TRACE_COMMITS_ENV, fault_plan_from, force_rerun
from .hooks import (
    RunState,
    _round,
    finished_by_other_workers,
    install_event_handlers,
    interrupted_tasks,
    make_worker_scheduler_factory,
    summarize_tasks,
)
from .pipeline import await_go, build_task, find_task_class, load_pipeline, preload_for

RUN_ID_ENV = contract.ENV_RUN_ID


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m {contract.RUNNER_MODULE}", description="Run a Luigi task and report its events as JSON lines."
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
    run_id = args.run_id or os.environ.get(RUN_ID_ENV) or audit.new_run_id()
    os.environ[RUN_ID_ENV] = run_id
    channel = open_channel(args, run_id)

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
    tasks = summarize_tasks(result.worker, state)
    if args.scheduler_host and status == "NOT_RUN" and finished_by_other_workers(task, tasks, state):
        status = "SUCCESS"
    success = status in ("SUCCESS", "SUCCESS_WITH_RETRY")
    channel.emit(
        "summary",
        status=status,
        success=success,
        seconds=_round(time.time() - run_started),
        summaryText=result.summary_text,
        tasks=tasks,
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


def _exit(code: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: the Spanner client's background threads must not hold the process open.
    os._exit(code)




def run() -> NoReturn:
    """The process entry point: exit codes as the contract defines them, whatever happens."""
    try:
        exit_code = main()
    except SystemExit as stop:
        exit_code = stop.code if isinstance(stop.code, int) else EXIT_CANNOT_START
    except BaseException:
        traceback.print_exc()
        sys.stderr.write("error: the runner itself failed (above); this is a bug in luigi-spanner, not in the pipeline.\n")
        exit_code = EXIT_CANNOT_START
    _exit(exit_code)
