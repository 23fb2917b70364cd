"""Orders sample: raw exports -> customers and orders in Spanner -> daily revenue.

    CustomersExport ──> LoadCustomers ──┐
    OrdersExport(batch) ────────────────┴─> LoadOrders(batch) ──> DailyRevenue(batch) ──> AllReports

Every Spanner task is a luigi_spanner.SpannerTask: its rows and its completion
marker commit in one read-write transaction, so a crash never leaves rows
without a marker (which a rerun would duplicate) or a marker without rows.
Work is split by immutable export file (``batch``), never by time window.

Run it (emulator or Cloud Spanner, chosen by SPANNER_EMULATOR_HOST,
GOOGLE_CLOUD_PROJECT, SPANNER_INSTANCE, SPANNER_DATABASE):

    python -m luigi_spanner.runner --file samples/orders/pipeline.py --task AllReports
"""

from __future__ import annotations

import csv
import datetime
import decimal
from pathlib import Path
from typing import Iterator

import luigi
from google.cloud import spanner
from google.cloud.spanner_v1 import param_types
from google.cloud.spanner_v1.transaction import Transaction

from luigi_spanner import Mutation, SpannerTask

DATA_DIR = Path(__file__).resolve().parent / "data"
CUSTOMERS_SNAPSHOT = "2024-03-02"
REVENUE_STATUS = "completed"


def read_csv(target: luigi.LocalTarget) -> Iterator[dict[str, str]]:
    with target.open("r") as handle:
        yield from csv.DictReader(handle)


class CustomersExport(luigi.ExternalTask):
    """The CRM's customer snapshot, dropped into data/ by another system."""

    snapshot = luigi.Parameter(default=CUSTOMERS_SNAPSHOT)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(DATA_DIR / f"customers_{self.snapshot}.csv"))


class OrdersExport(luigi.ExternalTask):
    """One immutable batch export of the shop's orders."""

    batch = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(DATA_DIR / f"orders_{self.batch}.csv"))


class LoadCustomers(SpannerTask):
    """Upserts the customer snapshot: a newer snapshot may legitimately restate a customer."""

    snapshot = luigi.Parameter(default=CUSTOMERS_SNAPSHOT)
    target_table = "Customers"

    def requires(self) -> CustomersExport:
        return CustomersExport(snapshot=self.snapshot)

    def mutations(self) -> Iterator[Mutation]:
        rows = [
            (int(r["customer_id"]), r["name"], r["email"] or None, r["country"] or None, spanner.COMMIT_TIMESTAMP)
            for r in read_csv(self.input())
        ]
        yield Mutation.insert_or_update(
            "Customers", ["CustomerId", "Name", "Email", "Country", "LoadedAt"], rows
        )


class LoadOrders(SpannerTask):
    """Inserts one export batch of orders.

    A plain insert is safe here: the marker commits in the same transaction, so a
    batch that committed is complete and never replayed, and one that did not
    commit left nothing behind.
    """

    batch = luigi.Parameter()
    target_table = "Orders"

    def requires(self) -> dict[str, luigi.Task]:
        return {"orders": OrdersExport(batch=self.batch), "customers": LoadCustomers()}

    def mutations(self) -> Iterator[Mutation]:
        rows = [
            (
                int(r["order_id"]),
                int(r["customer_id"]),
                datetime.date.fromisoformat(r["order_date"]),
                decimal.Decimal(r["amount"]),
                r["status"],
                self.batch,
                spanner.COMMIT_TIMESTAMP,
            )
            for r in read_csv(self.input()["orders"])
        ]
        yield Mutation.insert(
            "Orders", ["OrderId", "CustomerId", "OrderDate", "Amount", "Status", "Batch", "LoadedAt"], rows
        )


class DailyRevenue(SpannerTask):
    """Revenue of the batch's completed orders per order date.

    Reads the batch's orders through the same transaction that writes the
    aggregate and the marker, so the figures match exactly what was read.
    """

    batch = luigi.Parameter()
    target_table = "DailyRevenue"

    def requires(self) -> LoadOrders:
        return LoadOrders(batch=self.batch)

    def write(self, transaction: Transaction) -> int:
        totals = list(
            transaction.execute_sql(
                "SELECT OrderDate, SUM(Amount) AS Revenue, COUNT(*) AS OrderCount "
                "FROM Orders WHERE Batch = @batch AND Status = @status GROUP BY OrderDate",
                params={"batch": self.batch, "status": REVENUE_STATUS},
                param_types={"batch": param_types.STRING, "status": param_types.STRING},
            )
        )
        if totals:
            transaction.insert(
                "DailyRevenue",
                ["OrderDate", "Batch", "Revenue", "OrderCount", "ComputedAt"],
                [[day, self.batch, revenue, count, spanner.COMMIT_TIMESTAMP] for day, revenue, count in totals],
            )
        return len(totals)


class AllReports(luigi.WrapperTask):
    """Everything for the shipped batches."""

    batches = luigi.ListParameter(default=("2024-03-01", "2024-03-02"))

    def requires(self) -> list[DailyRevenue]:
        return [DailyRevenue(batch=batch) for batch in self.batches]
