"""BROKEN on purpose: the completion marker is committed apart from the data it vouches for.

    OrdersExport(batch) ──> LoadOrders(batch) ──> AllBatches

LoadOrders commits the batch's orders and adds them to the running DailyRevenue
totals in one transaction, then writes its marker in a second one (the pattern
of luigi.contrib.sqla.CopyToTable). A crash between the two commits leaves the
data without a marker: Luigi sees the task incomplete, runs it again, and the
revenue of the batch is added a second time. See README.md.
"""

from __future__ import annotations

import csv
import datetime
import decimal
from pathlib import Path

import luigi
from google.cloud import spanner
from google.cloud.spanner_v1 import param_types
from google.cloud.spanner_v1.keyset import KeySet

from luigi_spanner import connect

DATA_DIR = Path(__file__).resolve().parent / "data"


class SpannerMarker(luigi.Target):
    """A marker row checked by exists() but written by touch() in its own commit."""

    def __init__(self, update_id: str, target_table: str) -> None:
        self.update_id = update_id
        self.target_table = target_table

    def exists(self) -> bool:
        with connect().snapshot() as snapshot:
            rows = list(snapshot.read("TaskMarkers", ["UpdateId"], KeySet(keys=[[self.update_id]])))
        return bool(rows)

    def touch(self) -> None:
        with connect().batch() as batch:  # LS001: a separate commit from the data
            batch.insert_or_update(
                "TaskMarkers",
                ["UpdateId", "TargetTable", "InsertedAt"],
                [[self.update_id, self.target_table, spanner.COMMIT_TIMESTAMP]],
            )


class OrdersExport(luigi.ExternalTask):
    batch = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(DATA_DIR / f"orders_{self.batch}.csv"))


class LoadOrders(luigi.Task):
    batch = luigi.Parameter()

    def requires(self) -> OrdersExport:
        return OrdersExport(batch=self.batch)

    def output(self) -> SpannerMarker:
        return SpannerMarker(f"LoadOrders:{self.batch}", "Orders")

    def run(self) -> None:
        with self.input().open("r") as handle:
            orders = [
                (
                    int(r["order_id"]),
                    int(r["customer_id"]),
                    datetime.date.fromisoformat(r["order_date"]),
                    decimal.Decimal(r["amount"]),
                    r["status"],
                )
                for r in csv.DictReader(handle)
            ]

        def load(transaction) -> None:
            transaction.insert_or_update(
                "Orders",
                ["OrderId", "CustomerId", "OrderDate", "Amount", "Status", "Batch"],
                [[*order, self.batch] for order in orders],
            )
            # Incremental aggregate: correct once, wrong every time the batch is replayed.
            for day in sorted({o[2] for o in orders if o[4] == "completed"}):
                day_orders = [o for o in orders if o[2] == day and o[4] == "completed"]
                current = list(
                    transaction.execute_sql(
                        "SELECT Revenue, OrderCount FROM DailyRevenue WHERE OrderDate = @day",
                        params={"day": day},
                        param_types={"day": param_types.DATE},
                    )
                )
                revenue, count = current[0] if current else (decimal.Decimal(0), 0)
                transaction.insert_or_update(
                    "DailyRevenue",
                    ["OrderDate", "Revenue", "OrderCount", "UpdatedAt"],
                    [[day, revenue + sum(o[3] for o in day_orders), count + len(day_orders), spanner.COMMIT_TIMESTAMP]],
                )

        connect().run_in_transaction(load)
        # A crash here (deploy, OOM, preemption) leaves the data committed and no marker.
        self.output().touch()


class AllBatches(luigi.WrapperTask):
    batches = luigi.ListParameter(default=("2024-03-01", "2024-03-02"))

    def requires(self) -> list[LoadOrders]:
        return [LoadOrders(batch=batch) for batch in self.batches]
