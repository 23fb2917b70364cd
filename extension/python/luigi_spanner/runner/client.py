"""Spanner client hooks (the duplicate-insert debugger): what each task commits, how often
Spanner aborted it, and the faults the debugger injects. They wrap the client's own classes
(google.cloud.spanner_v1), so user code is never edited and every way of writing is seen:
database.batch(), run_in_transaction, session.transaction()."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn, Optional

from .events import EXIT_RUN_FAILED, EventChannel
from .faults import FaultPlan
from .frames import grpc_status, user_call_site

#: The client's sentinel for "the commit timestamp" (spanner.COMMIT_TIMESTAMP), kept as text in events.
COMMIT_TIMESTAMP_SENTINEL = "spanner.commit_timestamp()"
#: Rows of one mutation copied into an event: enough to find a conflicting key, small enough to send.
EVENT_ROWS_FAILED = 200
EVENT_ROWS_TRACED = 20
MAX_LISTED_COMMITS = 20
MAX_ABORT_SAMPLES = 3



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
