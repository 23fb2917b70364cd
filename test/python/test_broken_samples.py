"""The broken twins really break: each failure mode reproduced against the emulator."""

from __future__ import annotations

import collections
import csv
import datetime
import decimal
from pathlib import Path

import luigi
import pytest
from google.cloud.spanner_v1 import param_types

from helpers import SAMPLES, SpannerTestDatabase, crash_after_commits, load_module, run_runner

BROKEN = SAMPLES / "broken"


def build(*tasks: luigi.Task) -> str:
    return luigi.build(list(tasks), local_scheduler=True, detailed_summary=True, workers=1, log_level="WARNING").status.name


def completed_revenue_by_day(csv_path: Path) -> dict[datetime.date, tuple[decimal.Decimal, int]]:
    totals: dict[datetime.date, list] = collections.defaultdict(lambda: [decimal.Decimal(0), 0])
    with open(csv_path) as handle:
        for r in csv.DictReader(handle):
            if r["status"] == "completed":
                totals[datetime.date.fromisoformat(r["order_date"])][0] += decimal.Decimal(r["amount"])
                totals[datetime.date.fromisoformat(r["order_date"])][1] += 1
    return {day: (revenue, count) for day, (revenue, count) in totals.items()}


def test_marker_outside_txn_double_counts_after_crash(make_database) -> None:
    sample = BROKEN / "marker_outside_txn"
    db: SpannerTestDatabase = make_database(sample / "migrations")
    pipeline = load_module(sample / "pipeline.py")
    task = pipeline.LoadOrders(batch="2024-03-01")
    truth = completed_revenue_by_day(sample / "data" / "orders_2024-03-01.csv")

    # Commit 1 is the data transaction, commit 2 the marker: the process dies in between.
    with crash_after_commits(1) as commits:
        assert build(task) == "FAILED"
    assert commits.succeeded == 1
    stored = {r[0]: (r[1], r[2]) for r in db.query("SELECT OrderDate, Revenue, OrderCount FROM DailyRevenue")}
    assert stored == truth, "the data committed"
    assert not task.complete(), "but the marker did not, so Luigi will run the task again"

    assert build(task) == "SUCCESS"
    stored = {r[0]: (r[1], r[2]) for r in db.query("SELECT OrderDate, Revenue, OrderCount FROM DailyRevenue")}
    assert stored == {day: (revenue * 2, count * 2) for day, (revenue, count) in truth.items()}
    # Nothing failed, nothing looks wrong: the orders upsert hid the replay.
    assert db.query("SELECT COUNT(*) FROM Orders") == [[sum(1 for _ in open(sample / "data" / "orders_2024-03-01.csv")) - 1]]


def test_plain_insert_replay_fails_with_already_exists(make_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = BROKEN / "plain_insert_replay"
    db: SpannerTestDatabase = make_database(sample / "migrations")
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path))
    pipeline = load_module(sample / "pipeline.py")
    task = pipeline.LoadOrders(batch="2024-03-01")

    # The first chunk commits; the process dies at the second.
    with crash_after_commits(1):
        assert build(task) == "FAILED"
    assert db.query("SELECT COUNT(*) FROM Orders") == [[task.chunk_size]]
    assert not task.complete()

    # The rerun, as a user would start it: the replayed insert meets its own rows.
    result = run_runner(
        ["--file", str(sample / "pipeline.py"), "--task", "LoadOrders", "--param", "batch=2024-03-01"],
        db.env(PIPELINE_STATE_DIR=str(tmp_path)),
    )
    assert result.returncode == 1
    [failed] = result.of_type("failed")
    assert failed["exception"] == "AlreadyExists"
    assert "already exists" in failed["message"]
    assert failed["file"] == str(sample / "pipeline.py")
    assert failed["line"] == next(
        i + 1 for i, line in enumerate((sample / "pipeline.py").read_text().splitlines()) if "with database.batch() as batch" in line
    )
    assert db.query("SELECT COUNT(*) FROM Orders") == [[task.chunk_size]], "stuck: no progress without manual cleanup"


def test_time_window_misses_late_rows(make_database, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = BROKEN / "time_window"
    db: SpannerTestDatabase = make_database(sample / "migrations")
    pipeline = load_module(sample / "pipeline.py")

    assert build(pipeline.IngestOrders(batch="2024-03-01")) == "SUCCESS"
    [[ingested_at]] = db.query("SELECT MIN(IngestedAt) FROM RawOrders")
    # A plain datetime: the client's DatetimeWithNanoseconds does not survive replace().
    hour = datetime.datetime(ingested_at.year, ingested_at.month, ingested_at.day, ingested_at.hour)
    window = pipeline.HourlyRevenue(hour=hour)
    assert build(window) == "SUCCESS"

    def revenue_in_window() -> decimal.Decimal:
        start = hour.replace(tzinfo=datetime.timezone.utc)
        [[total]] = db.query(
            "SELECT COALESCE(SUM(Amount), 0) FROM RawOrders WHERE Status = 'completed' AND IngestedAt >= @s AND IngestedAt < @e",
            params={"s": start, "e": start + datetime.timedelta(hours=1)},
            param_types={"s": param_types.TIMESTAMP, "e": param_types.TIMESTAMP},
        )
        return total

    [[reported]] = db.query("SELECT Revenue FROM HourlyRevenue")
    assert reported == revenue_in_window()

    # A writer whose clock lags stamps a row inside the window after the window task ran.
    late_stamp = hour.replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=1)
    db.database.run_in_transaction(
        lambda tx: tx.insert(
            "RawOrders",
            ["OrderId", "CustomerId", "Amount", "Status", "Batch", "IngestedAt"],
            [[9001, 101, decimal.Decimal("500.00"), "completed", "late-writer", late_stamp]],
        )
    )
    assert window.complete(), "the window is marked done, so Luigi will never look at it again"
    assert build(window) == "SUCCESS"
    [[reported]] = db.query("SELECT Revenue FROM HourlyRevenue")
    assert reported == revenue_in_window() - decimal.Decimal("500.00")
