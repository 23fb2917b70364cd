"""The runner's debugger hooks against the emulator: cuts after the Nth data commit, seeded
random kills, commit traces, gRPC codes and committed rows on failures, abort counts, --force."""

from __future__ import annotations

import signal
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from luigi_spanner.runner.faults import FaultPlan

from helpers import RUNNER, SAMPLES, SpannerTestDatabase, parse_event_lines

ORDERS = SAMPLES / "orders"
PLAIN_INSERT = SAMPLES / "broken" / "plain_insert_replay"
MARKER_OUTSIDE = SAMPLES / "broken" / "marker_outside_txn"


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, list[dict[str, Any]], str]:
    completed = subprocess.run([*RUNNER, *args], env=env, capture_output=True, text=True, timeout=timeout)
    # Every event checked against the contract (the debugger's commit, fault and forced events too).
    return completed.returncode, parse_event_lines(completed.stdout), completed.stderr


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == event_type]


def line_of(path: Path, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(path.read_text().splitlines()) if needle in line)


def test_fail_after_first_commit_kills_right_after_it(make_database, tmp_path: Path) -> None:
    db: SpannerTestDatabase = make_database(PLAIN_INSERT / "migrations")
    code, events, stderr = run(
        ["--file", str(PLAIN_INSERT / "pipeline.py"), "--task", "LoadOrders", "--param", "batch=2024-03-01", "--fail-after-commits", "1"],
        db.env(PIPELINE_STATE_DIR=str(tmp_path)),
    )
    assert code == -signal.SIGKILL, stderr[-2000:]
    [fault] = of_type(events, "fault")
    assert fault["kind"] == "fail-after-commits" and fault["point"] == "after-commit" and fault["commit"] == 1
    assert fault["family"] == "LoadOrders"
    assert fault["file"] == str(PLAIN_INSERT / "pipeline.py")
    assert fault["line"] == line_of(PLAIN_INSERT / "pipeline.py", "with database.batch() as batch")
    # The first chunk (chunk_size rows) committed, nothing after it; the process died without a summary.
    assert db.query("SELECT COUNT(*) FROM Orders") == [[3]]
    assert of_type(events, "summary") == [] and of_type(events, "commit") == []
    assert not list(tmp_path.iterdir()), "no marker file"


def test_environment_asks_for_the_same_cut(make_database, tmp_path: Path) -> None:
    db: SpannerTestDatabase = make_database(MARKER_OUTSIDE / "migrations")
    code, events, _ = run(
        ["--file", str(MARKER_OUTSIDE / "pipeline.py"), "--task", "LoadOrders", "--param", "batch=2024-03-01"],
        db.env(LUIGI_SPANNER_FAIL_AFTER_COMMITS="1", LUIGI_SPANNER_TRACE_COMMITS="1"),
    )
    assert code == -signal.SIGKILL
    [commit] = of_type(events, "commit")
    orders_in_export = len((MARKER_OUTSIDE / "data" / "orders_2024-03-01.csv").read_text().strip().splitlines()) - 1
    assert set(commit["tables"]) == {"Orders", "DailyRevenue"} and commit["tables"]["Orders"] == orders_in_export
    assert commit["line"] == line_of(MARKER_OUTSIDE / "pipeline.py", "connect().run_in_transaction(load)")
    assert [f["line"] for f in of_type(events, "fault")] == [commit["line"]]
    # The data commit happened, the marker commit never did.
    assert db.query("SELECT COUNT(*) FROM TaskMarkers") == [[0]]
    assert db.query("SELECT COUNT(*) FROM Orders")[0][0] > 0


def test_trace_lists_every_data_commit_with_its_rows(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    code, events, stderr = run(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--trace-commits"], db.env())
    assert code == 0, stderr[-2000:]
    commits = of_type(events, "commit")
    # One commit per SpannerTask (rows and marker together), numbered run-wide.
    assert [c["commit"] for c in commits] == [1, 2, 3, 4, 5]
    assert sorted(c["family"] for c in commits) == ["DailyRevenue", "DailyRevenue", "LoadCustomers", "LoadOrders", "LoadOrders"]
    for commit in commits:
        assert commit["tables"]["LuigiTaskMarkers"] == 1
        assert commit["tag"] == f"luigi:{commit['family']}"
    orders = next(c for c in commits if c["family"] == "LoadOrders")
    insert = next(w for w in orders["writes"] if w["table"] == "Orders")
    assert insert["operation"] == "insert" and insert["columns"][0] == "OrderId"
    assert insert["values"][0][-1] == "spanner.commit_timestamp()"
    assert all(isinstance(row[0], int) for row in insert["values"])
    succeeded = {e["family"]: e.get("commits") for e in of_type(events, "succeeded")}
    assert succeeded["LoadCustomers"] == 1 and succeeded["AllReports"] == 0


@pytest.mark.parametrize("seed", [3, 11])
def test_kill_at_random_is_drawn_from_the_seed(make_database, seed: int) -> None:
    commit, point = FaultPlan(kill_seed=seed, kill_horizon=5).kill_point()
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    code, events, _ = run(
        ["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--kill-at-random", str(seed), "--kill-horizon", "5", "--trace-commits"],
        db.env(),
    )
    assert code == -signal.SIGKILL
    [fault] = of_type(events, "fault")
    assert (fault["commit"], fault["point"], fault["kind"]) == (commit, point, "kill-at-random")
    committed = len(of_type(events, "commit"))
    assert committed == (commit if point == "after-commit" else commit - 1)
    assert db.query("SELECT COUNT(*) FROM LuigiTaskMarkers") == [[committed]]


def test_killed_worker_process_is_a_process_failure_and_the_run_goes_on(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    code, events, _ = run(
        ["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--workers", "2", "--fail-after-commits", "1"], db.env()
    )
    assert code == 1
    [fault] = of_type(events, "fault")
    assert fault["pid"] != events[0]["pid"], "the forked task process died, not the runner"
    failed = [e for e in of_type(events, "failed") if e["id"] == fault["id"]]
    assert [f["phase"] for f in failed] == ["process"]
    assert of_type(events, "summary")[0]["status"] == "FAILED"


def test_already_exists_carries_the_grpc_code_and_the_refused_rows(make_database, tmp_path: Path) -> None:
    db: SpannerTestDatabase = make_database(PLAIN_INSERT / "migrations")
    args = ["--file", str(PLAIN_INSERT / "pipeline.py"), "--task", "LoadOrders", "--param", "batch=2024-03-01"]
    env = db.env(PIPELINE_STATE_DIR=str(tmp_path))
    assert run([*args, "--fail-after-commits", "1"], env)[0] == -signal.SIGKILL
    code, events, _ = run(args, env)
    assert code == 1
    [failed] = of_type(events, "failed")
    assert (failed["exception"], failed["grpcCode"], failed["grpcStatus"]) == ("AlreadyExists", 6, "ALREADY_EXISTS")
    [refused] = failed["mutations"]
    assert refused["operation"] == "insert" and refused["table"] == "Orders" and refused["rows"] == 3
    assert [row[0] for row in refused["values"]] == [r[0] for r in db.query("SELECT OrderId FROM Orders ORDER BY OrderId")]
    assert refused["line"] == line_of(PLAIN_INSERT / "pipeline.py", "batch.insert(")
    assert failed["commits"] == 0


def test_failure_after_a_commit_reports_what_it_left_behind(make_database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_notes.sql").write_text(
        "CREATE TABLE Notes (NoteId INT64 NOT NULL, Text STRING(MAX), WrittenAt TIMESTAMP) PRIMARY KEY (NoteId);"
    )
    pipeline = tmp_path / "half_done.py"
    pipeline.write_text(
        textwrap.dedent(
            f"""
            import luigi
            from google.cloud import spanner
            from luigi_spanner import connect

            class HalfDone(luigi.Task):
                def output(self):
                    return luigi.LocalTarget({str(tmp_path / 'half.done')!r})

                def run(self):
                    with connect().batch() as batch:
                        batch.insert("Notes", ["NoteId", "Text"], [[1, "one"], [2, "two"]])
                    raise RuntimeError("lost the connection")

            class StampsCommitTime(luigi.Task):
                def run(self):
                    with connect().batch() as batch:
                        batch.insert("Notes", ["NoteId", "WrittenAt"], [[9, spanner.COMMIT_TIMESTAMP]])
            """
        )
    )
    db: SpannerTestDatabase = make_database(migrations)
    code, events, _ = run(["--file", str(pipeline), "--task", "HalfDone"], db.env())
    assert code == 1
    [failed] = of_type(events, "failed")
    assert failed["exception"] == "RuntimeError" and "grpcCode" not in failed
    assert failed["commits"] == 1 and failed["completeAfterFailure"] is False
    [committed] = failed["committed"]
    assert committed["tables"] == {"Notes": 2} and committed["line"] == line_of(pipeline, "with connect().batch() as batch")

    code, events, _ = run(["--file", str(pipeline), "--task", "StampsCommitTime"], db.env())
    [failed] = of_type(events, "failed")
    assert (failed["grpcCode"], failed["grpcStatus"]) == (9, "FAILED_PRECONDITION")
    assert failed["mutations"][0]["values"] == [[9, "spanner.commit_timestamp()"]]


def test_aborted_retries_are_counted_per_task(make_database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_counters.sql").write_text("CREATE TABLE Counters (Name STRING(64) NOT NULL, Value INT64) PRIMARY KEY (Name);")
    pipeline = tmp_path / "contended.py"
    pipeline.write_text(
        textwrap.dedent(
            """
            import time
            import luigi
            from luigi_spanner import connect

            class Bump(luigi.Task):
                name = luigi.Parameter()

                def complete(self):
                    return False

                def run(self):
                    def bump(transaction):
                        list(transaction.execute_sql("SELECT COUNT(*) FROM Counters"))
                        time.sleep(0.4)  # hold the emulator's only read-write transaction
                        transaction.insert_or_update("Counters", ["Name", "Value"], [[self.name, 1]])
                    connect().run_in_transaction(bump)

            class Both(luigi.WrapperTask):
                def requires(self):
                    return [Bump(name=n) for n in ("a", "b", "c")]

                def complete(self):
                    return all(r.complete() for r in self.requires())
            """
        )
    )
    db: SpannerTestDatabase = make_database(migrations)
    code, events, stderr = run(["--file", str(pipeline), "--task", "Both", "--workers", "3"], db.env())
    assert db.query("SELECT COUNT(*) FROM Counters") == [[3]], stderr[-2000:]
    bumps = [e for e in of_type(events, "succeeded") if e["family"] == "Bump"]
    assert len(bumps) == 3 and all(e["commits"] == 1 for e in bumps)
    aborts = sum(e.get("aborts", 0) for e in bumps)
    assert aborts >= 1, "three concurrent transactions on the emulator abort each other"
    sample = next(s for e in bumps for s in e.get("abortSamples", []))
    assert sample["file"] == str(pipeline) and sample["line"] == line_of(pipeline, "connect().run_in_transaction(bump)")


def test_force_deletes_the_task_marker_and_runs_it_again(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    args = ["--file", str(ORDERS / "pipeline.py"), "--task", "LoadCustomers"]
    assert run(args, db.env())[0] == 0
    first = db.query("SELECT RunId FROM LuigiTaskMarkers WHERE TaskFamily = 'LoadCustomers'")
    code, events, _ = run([*args, "--force", "--run-id", "forced-run"], db.env())
    assert code == 0
    [forced] = of_type(events, "forced")
    assert forced["family"] == "LoadCustomers"
    assert [(d["table"], d["existed"]) for d in forced["deleted"]] == [("LuigiTaskMarkers", True)]
    assert [e["family"] for e in of_type(events, "succeeded")] == ["LoadCustomers"]
    assert of_type(events, "complete") and all(e["family"] == "CustomersExport" for e in of_type(events, "complete"))
    assert db.query("SELECT RunId FROM LuigiTaskMarkers WHERE TaskFamily = 'LoadCustomers'") == [["forced-run"]] != first


def test_force_refuses_without_the_emulator(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    env = db.env()
    env.pop("SPANNER_EMULATOR_HOST")
    code, events, _ = run(["--file", str(ORDERS / "pipeline.py"), "--task", "LoadCustomers", "--force"], env)
    assert code == 2
    [error] = of_type(events, "error")
    assert "only runs against the Spanner emulator" in error["message"] and "luigi-spanner run" in error["fix"]


def test_force_refuses_when_the_task_stays_complete(make_database, tmp_path: Path) -> None:
    db: SpannerTestDatabase = make_database(PLAIN_INSERT / "migrations")
    (tmp_path / "LoadOrders_2024-03-01.done").write_text("done\n")
    code, events, _ = run(
        ["--file", str(PLAIN_INSERT / "pipeline.py"), "--task", "LoadOrders", "--param", "batch=2024-03-01", "--force"],
        db.env(PIPELINE_STATE_DIR=str(tmp_path)),
    )
    assert code == 2
    [forced] = of_type(events, "forced")
    assert forced["deleted"] == [] and forced["kept"] == [str(tmp_path / "LoadOrders_2024-03-01.done")]
    assert "still complete" in of_type(events, "error")[0]["message"]


def test_bad_fault_options_are_start_errors(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    code, events, _ = run(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports", "--fail-after-commits", "0"], db.env())
    assert code == 2 and "1 or more" in of_type(events, "error")[0]["message"]
    code, events, _ = run(["--file", str(ORDERS / "pipeline.py"), "--task", "AllReports"], db.env(LUIGI_SPANNER_KILL_AT_RANDOM="x"))
    assert code == 2 and "LUIGI_SPANNER_KILL_AT_RANDOM" in of_type(events, "error")[0]["message"]


def test_dml_writes_count_as_data_commits_and_keep_their_keyword_arguments(make_database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_notes.sql").write_text("CREATE TABLE Notes (NoteId INT64 NOT NULL, Text STRING(MAX)) PRIMARY KEY (NoteId);")
    pipeline = tmp_path / "dml.py"
    pipeline.write_text(
        textwrap.dedent(
            """
            import luigi
            from luigi_spanner import connect

            class InsertNote(luigi.Task):
                def complete(self):
                    return False

                def run(self):
                    def insert(transaction):
                        transaction.execute_update(dml="INSERT INTO Notes (NoteId, Text) VALUES (1, 'one')")
                    connect().run_in_transaction(insert)
            """
        )
    )
    db: SpannerTestDatabase = make_database(migrations)
    code, events, stderr = run(["--file", str(pipeline), "--task", "InsertNote", "--trace-commits"], db.env())
    assert code == 0, stderr[-2000:]
    [commit] = of_type(events, "commit")
    assert commit["writes"] == [
        {"operation": "dml", "rows": 0, "statement": "INSERT INTO Notes (NoteId, Text) VALUES (1, 'one')", "file": str(pipeline), "line": line_of(pipeline, "execute_update(")}
    ]
    # The same insert again: ALREADY_EXISTS raised by the DML itself, with its gRPC code.
    code, events, _ = run(["--file", str(pipeline), "--task", "InsertNote"], db.env())
    [failed] = of_type(events, "failed")
    assert (code, failed["grpcCode"], failed["grpcStatus"]) == (1, 6, "ALREADY_EXISTS"), failed["message"]
    # The refused statement travels with the failure: the emulator's DML error does not name the table.
    assert failed["mutations"][-1]["statement"].startswith("INSERT INTO Notes")
