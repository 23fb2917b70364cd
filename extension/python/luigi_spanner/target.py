"""The completion target: one marker row per finished task, in the task's own transaction."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import luigi
from google.api_core.exceptions import NotFound
from google.cloud import spanner
from google.cloud.spanner_v1.data_types import JsonObject
from google.cloud.spanner_v1.database import Database
from google.cloud.spanner_v1.keyset import KeySet
from google.cloud.spanner_v1.transaction import Transaction

from . import audit, contract
from .errors import ConfigurationError, MarkerTableMissing
from .settings import DEFAULT_MARKER_TABLE, SpannerSettings, connect

#: Columns of the marker table, in the order :meth:`SpannerMarkerTarget.record` writes them (from the contract).
MARKER_COLUMNS: tuple[str, ...] = contract.MARKER_COLUMNS


def marker_table_ddl(table: str = DEFAULT_MARKER_TABLE) -> str:
    """GoogleSQL DDL of the marker table; ship it in a migration so the schema is versioned."""
    columns = "".join(f"  {name} {contract.MARKER_COLUMN_TYPES[name]},\n" for name in MARKER_COLUMNS)
    return f"CREATE TABLE {table} (\n{columns}) PRIMARY KEY ({', '.join(contract.MARKER_PRIMARY_KEY)})"


@dataclass(frozen=True)
class MarkerRecord:
    """One row of the marker table: who completed which task, when, with what."""

    update_id: str
    task_id: str
    task_family: str
    task_params: Mapping[str, Any]
    target_table: Optional[str]
    row_count: Optional[int]
    run_id: str
    run_user: Optional[str]
    run_host: Optional[str]
    committed_at: datetime.datetime


class SpannerMarkerTarget(luigi.Target):
    """Exists once a marker row keyed by ``update_id`` is committed.

    The marker is written by :meth:`record` inside the caller's read-write
    transaction, so the task's rows and its completion become visible together
    or not at all: a crash can never leave data without a marker (Luigi would
    replay it) or a marker without data (Luigi would skip it).
    """

    def __init__(
        self,
        update_id: str,
        *,
        target_table: Optional[str] = None,
        settings: Optional[SpannerSettings] = None,
    ) -> None:
        if not update_id:
            raise ValueError("update_id must be a non-empty string")
        self.update_id = update_id
        self.target_table = target_table
        self._settings = settings

    @property
    def settings(self) -> SpannerSettings:
        # Resolved lazily: building a task graph must not need a database.
        if self._settings is None:
            self._settings = SpannerSettings.resolve()
        return self._settings

    def database(self) -> Database:
        return connect(self.settings)

    def exists(self) -> bool:
        return self.read() is not None

    def read(self) -> Optional[MarkerRecord]:
        """The committed marker row, or None when the task has not completed."""
        try:
            with self.database().snapshot() as snapshot:
                rows = list(snapshot.read(self.settings.marker_table, MARKER_COLUMNS, KeySet(keys=[[self.update_id]])))
        except NotFound as error:
            explained = self._explain(error)
            if explained is error:
                raise
            raise explained from error
        return _record_from_row(rows[0]) if rows else None

    def _explain(self, error: NotFound) -> Exception:
        """A NotFound from reading the marker, as the error a person can act on."""
        table = self.settings.marker_table
        text = str(error).lower()
        if "instance not found" in text:
            return ConfigurationError(
                f"The instance of {self.settings.describe()} does not exist.",
                "Start the emulator with `luigi-spanner emulator start`, or check SPANNER_INSTANCE.",
            )
        if "database not found" in text:
            return ConfigurationError(
                f"The database of {self.settings.describe()} does not exist.",
                "Create it with its migrations (luigi-spanner emulator start), or check SPANNER_DATABASE.",
            )
        if "table not found" in text:
            return MarkerTableMissing(
                f"The completion-marker table {table} does not exist in {self.settings.describe()}.",
                "Apply the migration that creates it (DDL: luigi_spanner.marker_table_ddl()), "
                f"or set {contract.ENV_MARKER_TABLE}, or marker_table under [spanner] in luigi.cfg.",
            )
        return error

    def record(
        self,
        transaction: Transaction,
        *,
        task_id: str,
        task_family: str,
        task_params: Mapping[str, Any],
        row_count: Optional[int] = None,
    ) -> None:
        """Queue the marker insert in ``transaction``, next to the task's own mutations.

        A plain insert on purpose: if the marker already exists, another worker
        completed the task first and the whole transaction, data included, fails
        with ALREADY_EXISTS instead of writing the rows twice. (SpannerTask.run reads
        the marker first and, when it is there, writes nothing at all.)
        """
        transaction.insert(
            self.settings.marker_table,
            MARKER_COLUMNS,
            [
                [
                    self.update_id,
                    task_id,
                    task_family,
                    JsonObject(dict(task_params)),
                    self.target_table,
                    row_count,
                    audit.run_id(),
                    audit.run_user(),
                    audit.run_host(),
                    spanner.COMMIT_TIMESTAMP,
                ]
            ],
        )

    def __str__(self) -> str:
        settings = self._settings
        table = settings.marker_table if settings else DEFAULT_MARKER_TABLE
        return f"spanner marker {table}[{self.update_id}]"

    def __repr__(self) -> str:
        return f"SpannerMarkerTarget({self.update_id!r}, target_table={self.target_table!r})"


def _record_from_row(row: list[Any]) -> MarkerRecord:
    values = dict(zip(MARKER_COLUMNS, row))
    params = values["TaskParams"]
    if isinstance(params, str):  # older clients return JSON as text
        params = json.loads(params)
    return MarkerRecord(
        update_id=values["UpdateId"],
        task_id=values["TaskId"],
        task_family=values["TaskFamily"],
        task_params=dict(params or {}),
        target_table=values["TargetTable"],
        row_count=values["RowCount"],
        run_id=values["RunId"],
        run_user=values["RunUser"],
        run_host=values["RunHost"],
        committed_at=values["CommittedAt"],
    )
