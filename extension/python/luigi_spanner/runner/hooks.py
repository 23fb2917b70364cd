"""Luigi's side of a run: event handlers, a worker and scheduler that report what Luigi does not
fire events for (dynamic dependencies, retries, progress, complete() errors), and the summary."""

from __future__ import annotations

import collections
import re
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from .events import EventChannel
from .frames import describe_failure, frames_of_exception, frames_of_text, grpc_status
from .reconcile import DoneReconciler

if TYPE_CHECKING:
    from .client import SpannerClientHooks


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

    reconciler = DoneReconciler()

    class ReportingWorker(luigi.worker.Worker):
        def add(self, task: Any, *args: Any, **kwargs: Any) -> bool:
            # Roots are discovered already; this catches dynamic dependencies yielded by run().
            state.discover(task, None)
            return super().add(task, *args, **kwargs)

        def _run_task(self, task_id: str) -> None:
            reconciler.busy()
            if task_id not in self._running_tasks:
                state.dispatched_at[task_id] = time.time()
                if state.failures[task_id]:
                    task = self._scheduled_tasks[task_id]
                    state.channel.emit("retried", **state.task_fields(task), attempt=state.failures[task_id] + 1)
            super()._run_task(task_id)

        def _add_task(self, *args: Any, **kwargs: Any) -> None:
            task_id, status = kwargs.get("task_id"), kwargs.get("status")
            state.last_status[task_id] = status
            if status == DONE and task_id not in state.dispatched_at:
                reconciler.found_complete(task_id)
            if status in (DONE, FAILED) and task_id in state.dispatched_at:
                state.wall_seconds[task_id] = time.time() - state.dispatched_at.pop(task_id)
                if status == FAILED:
                    state.failures[task_id] += 1
            super()._add_task(*args, **kwargs)

        def _keep_alive(self, get_work_response: Any) -> bool:
            staying = bool(super()._keep_alive(get_work_response))
            if staying and get_work_response.n_pending_tasks > 0:
                # Waiting for tasks: maybe for one luigid will never hand out (reconcile.py).
                reconciler.idle(self)
            return staying

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


def finished_by_other_workers(root: Any, tasks: list[dict[str, Any]], state: RunState) -> bool:
    """With a central scheduler, Luigi reports NOT_RUN when other workers finished the tasks this
    one was waiting for (luigid no longer grants it a task that is DONE meanwhile, a wrapper task
    above all). If the requested task is complete and this worker failed nothing, the run did what
    was asked: the tasks left "not_run" or "pending" that are complete now become
    "run_by_other_worker", and the caller reports SUCCESS."""
    finished = {"succeeded", "complete", "run_by_other_worker", "upstream_run_by_other_worker"}

    def complete(task_id: str) -> bool:
        task = state.tasks.get(task_id)
        try:
            return task is not None and bool(task.complete())
        except Exception:
            return False

    if not complete(root.task_id):
        return False
    for summary in tasks:
        if summary["status"] in ("not_run", "pending") and complete(summary["id"]):
            summary["status"] = "run_by_other_worker"
    return all(summary["status"] in finished for summary in tasks)


def task_summary(task_id: str, task: Any, status: str, state: RunState) -> dict[str, Any]:
    """One task of the summary; ``seconds`` left out when the task never ran here (never null)."""
    summary = {"id": task_id, "family": task.task_family, "status": status}
    seconds = state.wall_seconds.get(task_id)
    if seconds is not None:
        summary["seconds"] = _round(seconds)
    return summary


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
