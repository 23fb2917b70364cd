"""BROKEN on purpose: plain inserts committed chunk by chunk, marker file written last.

    OrdersExport(batch) ──> LoadOrders(batch) ──> AllBatches

LoadOrders inserts the batch in chunks, one `database.batch()` commit per chunk,
and only then writes a local marker file. A crash after the first chunk leaves
rows committed and no marker: the rerun inserts the same rows again and
Spanner refuses with ALREADY_EXISTS, so the batch can never finish without a
manual cleanup. See README.md.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import os
from pathlib import Path

import luigi

from luigi_spanner import connect

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
# Where the marker files go; tests point it at a temporary folder.
STATE_DIR = Path(os.environ.get("PIPELINE_STATE_DIR") or HERE / "state")


class OrdersExport(luigi.ExternalTask):
    batch = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(DATA_DIR / f"orders_{self.batch}.csv"))


class LoadOrders(luigi.Task):
    batch = luigi.Parameter()
    chunk_size = luigi.IntParameter(default=3, significant=False)

    def requires(self) -> OrdersExport:
        return OrdersExport(batch=self.batch)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(STATE_DIR / f"LoadOrders_{self.batch}.done"))

    def run(self) -> None:
        with self.input().open("r") as handle:
            rows = [
                [
                    int(r["order_id"]),
                    int(r["customer_id"]),
                    datetime.date.fromisoformat(r["order_date"]),
                    decimal.Decimal(r["amount"]),
                    r["status"],
                    self.batch,
                ]
                for r in csv.DictReader(handle)
            ]
        database = connect()
        for start in range(0, len(rows), self.chunk_size):
            # One commit per chunk (LS003), each a plain insert (LS002) that a rerun replays.
            with database.batch() as batch:
                batch.insert(
                    "Orders",
                    ["OrderId", "CustomerId", "OrderDate", "Amount", "Status", "Batch"],
                    rows[start : start + self.chunk_size],
                )
        # The marker lives outside Spanner, written after every commit (LS001).
        with self.output().open("w") as marker:
            marker.write(f"{len(rows)} rows\n")


class AllBatches(luigi.WrapperTask):
    batches = luigi.ListParameter(default=("2024-03-01", "2024-03-02"))

    def requires(self) -> list[LoadOrders]:
        return [LoadOrders(batch=batch) for batch in self.batches]
