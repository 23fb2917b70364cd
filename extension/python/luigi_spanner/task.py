"""A Luigi task that commits its rows and its completion marker in one transaction."""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Literal, Optional, Sequence

import luigi
from google.cloud.spanner_v1.database import Database
from google.cloud.spanner_v1.keyset import KeySet
from google.cloud.spanner_v1.transaction import Transaction

from .settings import connect
from .target import MarkerRecord, SpannerMarkerTarget

Operation = Literal["insert", "update", "insert_or_update", "replace", "delete"]

# Spanner keeps at most 50 printable ASCII characters of a tag and drops leading underscores.
TAG_MAX_LENGTH = 50
TAG_PREFIX = "luigi:"


def transaction_tag(task_family: str) -> str:
    """The tag every commit of ``task_family`` carries, e.g. ``luigi:LoadOrders``.

    Shown in Spanner's transaction statistics (SPANNER_SYS.TXN_STATS_*), so a hot
    or failing transaction can be traced to the task that issued it. Families too
    long for the 50-character limit keep a readable head and a hash of the whole
    name, so two long families never share a tag.
    """
    printable = "".join(c if 32 <= ord(c) <= 126 else "_" for c in task_family)
    tag = TAG_PREFIX + printable
    if len(tag) <= TAG_MAX_LENGTH:
        return tag
    digest = hashlib.sha1(task_family.encode("utf-8")).hexdigest()[:8]
    return tag[: TAG_MAX_LENGTH - len(digest) - 1] + "~" + digest


@dataclass(frozen=True)
class Mutation:
    """One mutation of a :class:`SpannerTask`, applied inside the task's transaction."""

    operation: Operation
    table: str
    columns: tuple[str, ...] = ()
    values: tuple[tuple[Any, ...], ...] = ()
    keyset: Optional[KeySet] = field(default=None, compare=False)

    @classmethod
    def insert(cls, table: str, columns: Sequence[str], values: Iterable[Sequence[Any]]) -> "Mutation":
        return cls("insert", table, tuple(columns), tuple(tuple(v) for v in values))

    @classmethod
    def insert_or_update(cls, table: str, columns: Sequence[str], values: Iterable[Sequence[Any]]) -> "Mutation":
        return cls("insert_or_update", table, tuple(columns), tuple(tuple(v) for v in values))

    @classmethod
    def update(cls, table: str, columns: Sequence[str], values: Iterable[Sequence[Any]]) -> "Mutation":
        return cls("update", table, tuple(columns), tuple(tuple(v) for v in values))

    @classmethod
    def replace(cls, table: str, columns: Sequence[str], values: Iterable[Sequence[Any]]) -> "Mutation":
        return cls("replace", table, tuple(columns), tuple(tuple(v) for v in values))

    @classmethod
    def delete(cls, table: str, keyset: KeySet) -> "Mutation":
        return cls("delete", table, keyset=keyset)

    @property
    def row_count(self) -> int:
        if self.operation == "delete":
            return len(self.keyset.keys) if self.keyset is not None else 0
        return len(self.values)

    def apply(self, transaction: Transaction) -> int:
        """Queue this mutation on ``transaction``; returns the rows it touches."""
        if self.operation == "delete":
            transaction.delete(self.table, self.keyset)
        else:
            getattr(transaction, self.operation)(self.table, self.columns, [list(v) for v in self.values])
        return self.row_count


class SpannerTask(luigi.Task):
    """Base class: one task, one atomic commit of its rows and its completion marker.

    Override exactly one hook:

    * :meth:`mutations` returns the rows to write. They are computed once, before
      the transaction opens, and applied together with the marker.
    * :meth:`write` receives the read-write transaction, can read through it
      (``transaction.execute_sql``) and queues mutations or DML on it. Spanner
      aborts and retries transactions, so it may run several times: keep it free
      of side effects outside the transaction.

    The commit carries the transaction tag ``luigi:<TaskFamily>`` and the marker
    row records the run id, user, host, parameters and commit timestamp. Split
    large loads into separate tasks keyed by immutable inputs (a file, a batch
    id), never by time windows over data that may still change.
    """

    #: The main table this task writes, recorded in the marker for the audit trail.
    target_table: ClassVar[Optional[str]] = None

    #: Commit timestamp of the last successful run() in this process (None before).
    committed_at: Any = None

    #: The marker an earlier attempt had already committed when run() was called again (a worker
    #: that died after its commit, retried by a central scheduler): run() then wrote nothing.
    already_committed: Optional[MarkerRecord] = None

    def update_id(self) -> str:
        """Key of this task's marker row; the Luigi task id unless overridden."""
        return self.task_id

    def output(self) -> SpannerMarkerTarget:
        return SpannerMarkerTarget(self.update_id(), target_table=self.target_table)

    def database(self) -> Database:
        """The database this task writes to (from the environment and ``[spanner]``)."""
        return connect(self.output().settings)

    def mutations(self) -> Iterable[Mutation]:
        raise NotImplementedError

    def write(self, transaction: Transaction) -> Optional[int]:
        """Queue this task's writes on ``transaction``; return the number of rows written."""
        raise NotImplementedError

    def transaction_tag(self) -> str:
        return transaction_tag(self.task_family)

    def run(self) -> None:
        # Luigi does not check complete() before it runs a task, and a central scheduler hands a
        # task out again when the worker that ran it died, possibly right after its commit. Then
        # its rows and marker are there together: write nothing, instead of failing on
        # ALREADY_EXISTS at every retry. (A snapshot read, not a read in the read-write
        # transaction: a killed worker must not leave an open transaction holding locks. Two
        # workers racing past this check still cannot both commit: the marker insert refuses.)
        self.already_committed = self.output().read()
        reporter = getattr(self, "set_status_message", None)
        if self.already_committed is not None:
            self.committed_at = self.already_committed.committed_at
            if callable(reporter):
                reporter(f"already committed by run {self.already_committed.run_id} at {self.committed_at}: nothing written")
            return
        prepared = self._prepare_mutations()
        attempts: list[Transaction] = []
        row_count = self.database().run_in_transaction(
            self._commit_with_marker, prepared, attempts, transaction_tag=self.transaction_tag()
        )
        self.committed_at = attempts[-1].committed if attempts else None
        if callable(reporter):  # only while a Luigi worker runs the task
            reporter(f"committed {row_count} rows and marker at {self.committed_at}")

    def _prepare_mutations(self) -> Optional[list[Mutation]]:
        overrides_write = type(self).write is not SpannerTask.write
        overrides_mutations = type(self).mutations is not SpannerTask.mutations
        if overrides_write == overrides_mutations:
            raise TypeError(
                f"{type(self).__name__} must override exactly one of mutations() or write(transaction) "
                f"(overrides {'both' if overrides_write else 'neither'})."
            )
        if overrides_write:
            return None
        prepared = list(self.mutations())
        for item in prepared:
            if not isinstance(item, Mutation):
                raise TypeError(
                    f"{type(self).__name__}.mutations() yielded {type(item).__name__}; "
                    "yield luigi_spanner.Mutation.insert(...) and friends."
                )
        return prepared

    def _commit_with_marker(
        self, transaction: Transaction, prepared: Optional[list[Mutation]], attempts: list[Transaction]
    ) -> Optional[int]:
        attempts.append(transaction)
        if prepared is None:
            row_count = self.write(transaction)
            if inspect.isgenerator(row_count):
                raise TypeError(f"{type(self).__name__}.write() must not be a generator.")
        else:
            row_count = sum(mutation.apply(transaction) for mutation in prepared)
        self.output().record(
            transaction,
            task_id=self.task_id,
            task_family=self.task_family,
            task_params=self.to_str_params(only_significant=True),
            row_count=row_count,
        )
        return row_count
