"""The runner as the extension and the CLI use it: ``python -m luigi_spanner.runner``, events as JSON lines."""

from __future__ import annotations

import collections
import shutil
from pathlib import Path

import pytest

from helpers import (
    BATCHES,
    FIXTURES,
    ORDERS,
    SpannerTestDatabase,
    csv_rows,
    expected_daily_revenue,
    expected_orders,
    run_runner,
    run_runner_with_events_fd,
)

def families(events: list[dict], event_type: str) -> collections.Counter:
    return collections.Counter(e["family"] for e in events if e["type"] == event_type)


def source_line(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_clean_sample_runs_every_task_once_and_writes_exact_rows(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    result = run_runner(
        ["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--run-id", "run-clean-1"], db.env()
    )
    assert result.returncode == 0, result.stderr[-3000:]

    assert result.events[0]["type"] == "run" and result.events[0]["task"] == "AllReports"
    assert all(e["runId"] == "run-clean-1" for e in result.events)
    assert families(result.events, "discovered") == {
        "AllReports": 1, "DailyRevenue": 2, "LoadOrders": 2, "OrdersExport": 2, "LoadCustomers": 1, "CustomersExport": 1
    }
    ran = {"AllReports": 1, "DailyRevenue": 2, "LoadOrders": 2, "LoadCustomers": 1}
    assert families(result.events, "started") == ran
    assert families(result.events, "succeeded") == ran
    assert families(result.events, "complete") == {"OrdersExport": 2, "CustomersExport": 1}
    assert not result.of_type("failed")
    by_id = {e["id"]: e for e in result.of_type("discovered")}
    for event in result.of_type("discovered"):
        assert event.get("parent") is None or event["parent"] in by_id
    assert {e["params"]["batch"] for e in result.of_type("discovered") if e["family"] == "LoadOrders"} == set(BATCHES)
    # Started before succeeded, per task.
    order = [(e["type"], e.get("id")) for e in result.events]
    for event in result.of_type("succeeded"):
        assert order.index(("started", event["id"])) < order.index(("succeeded", event["id"]))
    # Each SpannerTask reports its commit as a status message.
    assert families(result.events, "progress") == {"DailyRevenue": 2, "LoadOrders": 2, "LoadCustomers": 1}

    summary = result.summary()
    assert summary["status"] == "SUCCESS" and summary["success"] is True
    assert result.events[-1] is summary
    statuses = collections.Counter((t["family"], t["status"]) for t in summary["tasks"])
    assert statuses == {
        ("AllReports", "succeeded"): 1, ("DailyRevenue", "succeeded"): 2, ("LoadOrders", "succeeded"): 2,
        ("LoadCustomers", "succeeded"): 1, ("OrdersExport", "complete"): 2, ("CustomersExport", "complete"): 1,
    }
    assert all(t["seconds"] is not None and t["seconds"] >= 0 for t in summary["tasks"] if t["status"] == "succeeded")

    data = ORDERS / "data"
    assert db.query("SELECT CustomerId, Name, Email, Country FROM Customers ORDER BY CustomerId") == [
        [int(r["customer_id"]), r["name"], r["email"], r["country"]] for r in csv_rows(data / "customers_2024-03-02.csv")
    ]
    orders = db.query("SELECT OrderId, CustomerId, OrderDate, Amount, Status, Batch FROM Orders ORDER BY OrderId")
    assert [[*r[:2], r[2].isoformat(), *r[3:]] for r in orders] == expected_orders(data)
    revenue = db.query("SELECT OrderDate, Batch, Revenue, OrderCount FROM DailyRevenue ORDER BY OrderDate, Batch")
    assert [[r[0].isoformat(), *r[1:]] for r in revenue] == expected_daily_revenue(data)
    markers = db.query("SELECT TaskFamily, RunId, RowCount FROM LuigiTaskMarkers ORDER BY TaskFamily, RowCount")
    assert markers == sorted(
        [["LoadCustomers", "run-clean-1", 6]]
        + [["LoadOrders", "run-clean-1", len(csv_rows(data / f"orders_{b}.csv"))] for b in BATCHES]
        + [["DailyRevenue", "run-clean-1", sum(1 for row in expected_daily_revenue(data) if row[1] == b)] for b in BATCHES]
    )

    # A second run finds everything complete and starts nothing.
    again = run_runner(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--run-id", "run-clean-2"], db.env())
    assert again.returncode == 0, again.stderr[-3000:]
    assert not again.of_type("started") and not again.of_type("succeeded")
    assert families(again.events, "complete") == {"AllReports": 1}
    assert again.summary()["status"] == "SUCCESS"
    assert {t["status"] for t in again.summary()["tasks"]} == {"complete"}
    assert db.query("SELECT DISTINCT RunId FROM LuigiTaskMarkers") == [["run-clean-1"]]
    assert db.query("SELECT COUNT(*) FROM Orders") == [[len(expected_orders(data))]]


def test_clean_sample_with_two_worker_processes(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    result = run_runner(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--workers", "2"], db.env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.summary()["status"] == "SUCCESS"
    assert families(result.events, "succeeded") == {"AllReports": 1, "DailyRevenue": 2, "LoadOrders": 2, "LoadCustomers": 1}
    # Events written by forked task processes carry the parent's run id and arrive whole.
    assert len({e["runId"] for e in result.events}) == 1
    assert db.query("SELECT COUNT(DISTINCT RunId), COUNT(*) FROM LuigiTaskMarkers") == [[1, 5]]
    revenue = db.query("SELECT OrderDate, Batch, Revenue, OrderCount FROM DailyRevenue ORDER BY OrderDate, Batch")
    assert [[r[0].isoformat(), *r[1:]] for r in revenue] == expected_daily_revenue(ORDERS / "data")


def test_failure_in_user_code_reports_exception_file_and_line(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    pipeline = FIXTURES / "failing_pipeline.py"
    result = run_runner(["--file", str(pipeline), "--task", "PriceReport"], db.env())
    assert result.returncode == 1

    [failed] = result.of_type("failed")
    assert failed["family"] == "LoadPrices" and failed["phase"] == "run"
    assert failed["exception"] == "InvalidOperation"
    assert failed["file"] == str(pipeline)
    assert failed["line"] == source_line(pipeline, "# FAILS HERE")
    assert [f["function"] for f in failed["frames"]] == ["mutations", "<listcomp>", "parse_amount"]
    assert "decimal.InvalidOperation" in failed["traceback"]
    summary = result.summary()
    assert summary["status"] == "FAILED" and summary["success"] is False
    assert {t["family"]: t["status"] for t in summary["tasks"]} == {"PriceReport": "upstream_failed", "LoadPrices": "failed"}
    assert db.query("SELECT COUNT(*) FROM Customers") == [[0]]


def test_commit_refused_by_spanner_points_at_the_task_and_writes_nothing(make_database, tmp_path: Path) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    sample = tmp_path / "orders"
    shutil.copytree(ORDERS, sample)
    with open(sample / "data" / "orders_2024-03-02.csv", "a") as handle:
        handle.write("5099,999,2024-03-02,10.00,completed\n")  # customer 999 does not exist

    result = run_runner(["--file", str(sample / "pipeline.py"), "--task", "AllReports"], db.env())
    assert result.returncode == 1
    [failed] = result.of_type("failed")
    assert failed["family"] == "LoadOrders" and failed["phase"] == "run"
    assert "FK_OrdersCustomer" in failed["message"] or "foreign key" in failed["message"].lower()
    # Raised inside the client at commit, so the location is the task's own mutations().
    assert failed["file"] == str(sample / "pipeline.py")
    assert failed["line"] == source_line(sample / "pipeline.py", "def mutations", after="class LoadOrders")
    statuses = {(t["family"], t["id"]): t["status"] for t in result.summary()["tasks"]}
    assert sorted(s for (family, _), s in statuses.items() if family in ("LoadOrders", "DailyRevenue")) == [
        "failed", "succeeded", "succeeded", "upstream_failed"
    ]
    assert db.query("SELECT COUNT(*) FROM Orders WHERE Batch = '2024-03-02'") == [[0]]
    assert db.query(
        "SELECT COUNT(*) FROM LuigiTaskMarkers WHERE TaskFamily = 'LoadOrders' AND JSON_VALUE(TaskParams, '$.batch') = '2024-03-02'"
    ) == [[0]]


def test_missing_marker_table_fails_while_scheduling_with_the_fix(make_database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    shutil.copy(ORDERS / "migrations" / "0001_customers_and_orders.sql", migrations)
    db: SpannerTestDatabase = make_database(migrations)
    result = run_runner(["--file", str(ORDERS / "pipeline.py"), "--task", "LoadCustomers"], db.env())
    assert result.returncode == 1
    [failed] = result.of_type("failed")
    assert failed["phase"] == "complete" and failed["family"] == "LoadCustomers"
    assert failed["exception"] == "MarkerTableMissing"
    assert "LuigiTaskMarkers does not exist" in failed["message"] and "marker_table_ddl" in failed["message"]
    assert not result.of_type("started")
    assert result.summary()["status"] == "SCHEDULING_FAILED"


def test_user_prints_never_reach_the_event_channel(tmp_path: Path, emulator) -> None:
    result = run_runner(
        ["--file", str(FIXTURES / "noisy_pipeline.py"), "--task", "Chatty", "--param", f"out_dir={tmp_path}"],
        {**__import__("os").environ},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # Every stdout line parsed as an event (run_runner asserts the prefix); nothing forged got in.
    assert result.summary()["status"] == "SUCCESS"
    assert "FORGED" not in result.stdout
    for text in ("FORGED", "no newline before the next event", "raw write to fd 1", "from a child process"):
        assert text in result.stderr
    progress = result.of_type("progress")
    assert [p.get("percentage") for p in progress if p.get("percentage") is not None] == [50]
    assert [p.get("message") for p in progress if p.get("message") is not None] == ["halfway"]


def test_events_fd_keeps_stdout_for_the_user(tmp_path: Path, emulator) -> None:
    result = run_runner_with_events_fd(
        ["--file", str(FIXTURES / "noisy_pipeline.py"), "--task", "Chatty", "--param", f"out_dir={tmp_path}"],
        {**__import__("os").environ},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert [e["type"] for e in result.events][:2] == ["run", "discovered"]
    assert result.summary()["status"] == "SUCCESS"
    assert "from a child process" in result.stdout and "FORGED" in result.stdout


def test_retried_task_reports_each_attempt(tmp_path: Path, emulator) -> None:
    config = tmp_path / "luigi.cfg"
    config.write_text(
        "[scheduler]\nretry_delay = 0.2\n[worker]\nkeep_alive = true\nwait_interval = 0.1\nwait_jitter = 0.05\n"
    )
    env = {**__import__("os").environ, "LUIGI_CONFIG_PATH": str(config)}
    result = run_runner(["--file", str(FIXTURES / "flaky_pipeline.py"), "--task", "Flaky", "--param", f"out_dir={tmp_path}"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    sequence = [(e["type"], e.get("attempt")) for e in result.events if e["type"] in ("started", "failed", "retried", "succeeded")]
    assert sequence == [("started", 1), ("failed", None), ("retried", 2), ("started", 2), ("succeeded", None)]
    assert result.of_type("failed")[0]["exception"] == "ConnectionError"
    assert result.summary()["status"] == "SUCCESS_WITH_RETRY"
    assert [t["status"] for t in result.summary()["tasks"]] == ["succeeded"]


@pytest.mark.parametrize(
    ("args", "message", "fix"),
    [
        (["--task", "NoSuchTask"], 'No Luigi task "NoSuchTask"', "AllReports"),
        (["--task", "LoadOrders"], "requires the 'batch' parameter", "--param"),
        (["--task", "LoadOrders", "--param", "bach=2024-03-01"], 'has no parameter "bach"', "batch"),
        (["--task", "LoadOrders", "--param", "batch"], "is not NAME=VALUE", "--param name=value"),
    ],
)
def test_bad_requests_exit_2_with_an_error_event(args: list[str], message: str, fix: str, emulator) -> None:
    result = run_runner(["--file", str(ORDERS / "pipeline.py"), *args], {**__import__("os").environ})
    assert result.returncode == 2
    [error] = result.of_type("error")
    assert message in error["message"]
    assert fix in error["fix"]
    assert not result.of_type("summary")


def test_pipeline_import_error_points_at_the_line(tmp_path: Path, emulator) -> None:
    broken = tmp_path / "pipeline.py"
    broken.write_text("import luigi\n\nVALUE = 1 / 0\n")
    result = run_runner(["--file", str(broken), "--task", "Anything"], {**__import__("os").environ})
    assert result.returncode == 2
    [error] = result.of_type("error")
    assert "ZeroDivisionError" in error["message"]
    assert (error["file"], error["line"]) == (str(broken), 3)


def test_missing_pipeline_file(tmp_path: Path, emulator) -> None:
    result = run_runner(["--file", str(tmp_path / "nope.py"), "--task", "X"], {**__import__("os").environ})
    assert result.returncode == 2
    assert "does not exist" in result.of_type("error")[0]["message"]


def test_runner_and_library_agree_on_the_run_id() -> None:
    import re

    import luigi_spanner.audit
    from luigi_spanner.runner import cli

    assert cli.RUN_ID_ENV == luigi_spanner.audit.RUN_ID_ENV == luigi_spanner.contract.ENV_RUN_ID
    pattern = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
    assert pattern.match(luigi_spanner.audit.new_run_id())


def test_missing_external_input_is_reported(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    result = run_runner(["--file", str(ORDERS / "pipeline.py"), "--task", "DailyRevenue", "--param", "batch=2024-03-09"], db.env())
    assert result.returncode == 1
    assert [e["family"] for e in result.of_type("missing")] == ["OrdersExport"]
    summary = result.summary()
    assert summary["status"] == "MISSING_EXT"
    assert {t["family"]: t["status"] for t in summary["tasks"] if t["family"] in ("OrdersExport", "LoadOrders", "DailyRevenue")} == {
        "OrdersExport": "missing", "LoadOrders": "upstream_missing", "DailyRevenue": "upstream_missing"
    }


def test_sigterm_interrupts_the_run_and_still_summarizes(tmp_path: Path, emulator) -> None:
    import os
    import signal
    import subprocess

    from helpers import RUNNER, parse_event_lines

    process = subprocess.Popen(
        [*RUNNER, "--file", str(FIXTURES / "sleepy_pipeline.py"), "--task", "Sleepy", "--param", f"out_dir={tmp_path}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen += parse_event_lines(line)
        if seen[-1]["type"] == "started" and seen[-1]["family"] == "Sleepy":
            process.send_signal(signal.SIGTERM)
            break
    rest, _ = process.communicate(timeout=30)
    seen += parse_event_lines(rest)
    assert process.returncode == 130
    summary = seen[-1]
    assert summary["type"] == "summary" and summary["status"] == "INTERRUPTED" and summary["success"] is False
    assert {t["family"]: t["status"] for t in summary["tasks"]} == {"Sleepy": "interrupted", "Quick": "succeeded"}
    assert not os.path.exists(tmp_path / "sleepy.done")


def test_central_scheduler_luigid(tmp_path: Path, emulator) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    luigid = subprocess.Popen(
        [str(Path(sys.executable).parent / "luigid"), "--address", "127.0.0.1", "--port", str(port),
         "--state-path", str(tmp_path / "state.pickle"), "--logdir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.time() < deadline, "luigid did not start listening"
                time.sleep(0.1)
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        result = run_runner(
            ["--file", str(FIXTURES / "noisy_pipeline.py"), "--task", "Chatty", "--param", f"out_dir={out_dir}",
             "--scheduler-host", "127.0.0.1", "--scheduler-port", str(port)],
            dict(os.environ),
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.of_type("run")[0]["scheduler"] == f"127.0.0.1:{port}"
        assert result.summary()["status"] == "SUCCESS"
        # Progress went through the remote scheduler and was still reported.
        assert [p["percentage"] for p in result.of_type("progress") if p.get("percentage") is not None] == [50]
    finally:
        luigid.terminate()
        luigid.wait(timeout=10)


def test_unreachable_central_scheduler_is_a_start_error(tmp_path: Path, emulator) -> None:
    import os
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = tmp_path / "luigi.cfg"
    config.write_text("[core]\nrpc-retry-attempts = 1\nrpc-retry-wait = 0\n")
    result = run_runner(
        ["--file", str(FIXTURES / "noisy_pipeline.py"), "--task", "Chatty", "--param", f"out_dir={tmp_path}",
         "--scheduler-host", "127.0.0.1", "--scheduler-port", str(port)],
        {**os.environ, "LUIGI_CONFIG_PATH": str(config)},
    )
    assert result.returncode == 2
    [error] = result.of_type("error")
    assert f"127.0.0.1:{port} did not answer" in error["message"]
    assert "luigid" in error["fix"]


def test_failure_in_requires_reports_the_line(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    pipeline = FIXTURES / "failing_pipeline.py"
    result = run_runner(["--file", str(pipeline), "--task", "ReportOfUnknownBatch"], db.env())
    assert result.returncode == 1
    [failed] = result.of_type("failed")
    assert failed["phase"] == "requires" and failed["family"] == "ReportOfUnknownBatch"
    assert failed["exception"] == "KeyError"
    assert (failed["file"], failed["line"]) == (str(pipeline), source_line(pipeline, "# REQUIRES FAILS HERE"))
    assert not result.of_type("started")
    assert result.summary()["status"] == "SCHEDULING_FAILED"


@pytest.mark.parametrize("workers", [1, 2])
def test_dynamic_dependencies_are_discovered_and_run(tmp_path: Path, emulator, workers: int) -> None:
    import os

    result = run_runner(
        ["--file", str(FIXTURES / "dynamic_pipeline.py"), "--task", "Assemble", "--param", f"out_dir={tmp_path}", "--workers", str(workers)],
        dict(os.environ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert families(result.events, "discovered") == {"Assemble": 1, "Part": 2}
    assert families(result.events, "succeeded") == {"Assemble": 1, "Part": 2}
    discovered_at = {e["id"]: i for i, e in enumerate(result.events) if e["type"] == "discovered"}
    for i, event in enumerate(result.events):
        if event["type"] == "started":
            assert discovered_at[event["id"]] < i, "a task is discovered before it starts"
    assert (tmp_path / "assembled").read_text() == "0\n1\n"
    assert result.summary()["status"] == "SUCCESS"


def test_await_go_loads_first_and_runs_once_released(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    result = run_runner(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--await-go"], db.env(), stdin="go\n")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.events[0]["type"] == "run"
    assert result.summary()["status"] == "SUCCESS"
    assert db.query("SELECT COUNT(*) FROM LuigiTaskMarkers") == [[5]]


@pytest.mark.parametrize("stdin", ["", "stop\n"], ids=["end-of-input", "other-line"])
def test_await_go_leaves_without_importing_the_pipeline_when_the_caller_gives_up(tmp_path: Path, emulator, stdin: str) -> None:
    # The caller's provisioning failed or the run was cancelled: the pipeline must not run at all.
    imported = tmp_path / "imported"
    pipeline = tmp_path / "pipeline.py"
    pipeline.write_text(f"import luigi\nopen({str(imported)!r}, 'w').close()\n\nclass T(luigi.Task):\n    pass\n")
    result = run_runner(["--file", str(pipeline), "--task", "T", "--await-go"], {**__import__("os").environ}, stdin=stdin)
    assert result.returncode == 2
    assert result.events == []
    assert not imported.exists()
