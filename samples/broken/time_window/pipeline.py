"""BROKEN on purpose: work batched by wall-clock windows over a client-clock timestamp.

    OrdersExport(batch) ──> IngestOrders(batch)          (stamps IngestedAt = datetime.now())
    HourlyRevenue(hour) <── RecentRevenue                (hour windows picked from datetime.now())

Each task commits atomically with its marker (luigi_spanner.SpannerTask), so the
commits are fine; the keys are not. HourlyRevenue(hour) sums whatever rows carry
an IngestedAt inside the hour when it happens to run, then is complete for ever.
Rows that land in that hour later (a slow writer, a client clock behind, a
retried batch) are never counted. See README.md.
"""

from __future__ import annotations

import csv
import datetime
import decimal
from pathlib import Path

import luigi
from google.cloud import spanner
from google.cloud.spanner_v1 import param_types
from google.cloud.spanner_v1.transaction import Transaction

from luigi_spanner import Mutation, SpannerTask

DATA_DIR = Path(__file__).resolve().parent / "data"


class OrdersExport(luigi.ExternalTask):
    batch = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(DATA_DIR / f"orders_{self.batch}.csv"))


class IngestOrders(SpannerTask):
    batch = luigi.Parameter()
    target_table = "RawOrders"

    def requires(self) -> OrdersExport:
        return OrdersExport(batch=self.batch)

    def mutations(self):
        ingested_at = datetime.datetime.now(datetime.timezone.utc)  # LS005: the client's clock
        with self.input().open("r") as handle:
            rows = [
                (int(r["order_id"]), int(r["customer_id"]), decimal.Decimal(r["amount"]), r["status"], self.batch, ingested_at)
                for r in csv.DictReader(handle)
            ]
        yield Mutation.insert(
            "RawOrders", ["OrderId", "CustomerId", "Amount", "Status", "Batch", "IngestedAt"], rows
        )


class HourlyRevenue(SpannerTask):
    """LS004: keyed by a time window, not by the immutable inputs it aggregates."""

    hour = luigi.DateHourParameter()
    target_table = "HourlyRevenue"

    def write(self, transaction: Transaction) -> int:
        start = self.hour.replace(tzinfo=datetime.timezone.utc)
        end = start + datetime.timedelta(hours=1)
        revenue, count = list(
            transaction.execute_sql(
                "SELECT COALESCE(SUM(Amount), 0), COUNT(*) FROM RawOrders "
                "WHERE Status = 'completed' AND IngestedAt >= @start AND IngestedAt < @end",
                params={"start": start, "end": end},
                param_types={"start": param_types.TIMESTAMP, "end": param_types.TIMESTAMP},
            )
        )[0]
        transaction.insert(
            "HourlyRevenue",
            ["Hour", "Revenue", "OrderCount", "ComputedAt"],
            [[start, revenue, count, spanner.COMMIT_TIMESTAMP]],
        )
        return 1


class RecentRevenue(luigi.WrapperTask):
    """The last `hours` closed hours, as the scheduler host's clock sees them."""

    hours = luigi.IntParameter(default=3)

    def requires(self) -> list[HourlyRevenue]:
        this_hour = datetime.datetime.utcnow().replace(minute=0, second=0, microsecond=0)
        return [HourlyRevenue(hour=this_hour - datetime.timedelta(hours=h)) for h in range(1, self.hours + 1)]
