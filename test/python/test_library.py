"""luigi_spanner: the marker target, the atomic task base, settings, migrations."""

from __future__ import annotations

import datetime
import getpass
import re
import socket
from pathlib import Path

import luigi
import pytest
from google.api_core.exceptions import AlreadyExists, GoogleAPICallError
from google.cloud.spanner_v1.keyset import KeySet
from google.cloud.spanner_v1.services.spanner.client import SpannerClient

import luigi_spanner
from helpers import SAMPLES, SpannerTestDatabase, crash_after_commits, load_module
from luigi_spanner import (
    ConfigurationError,
    MarkerTableMissing,
    MigrationError,
    Mutation,
    SpannerMarkerTarget,
    SpannerSettings,
    SpannerTask,
    marker_table_ddl,
    read_migrations,
    split_statements,
    transaction_tag,
)

ORDERS = SAMPLES / "orders"


@pytest.fixture(scope="module")
def orders_pipeline():
    return load_module(ORDERS / "pipeline.py")


def build(*tasks: luigi.Task) -> luigi.execution_summary.LuigiRunResult:
    return luigi.build(list(tasks), local_scheduler=True, detailed_summary=True, workers=1, log_level="WARNING")


def build_recording_failures(task: luigi.Task) -> tuple[str, list[BaseException]]:
    """Build a task of a class defined in the test, keeping the exceptions its runs raised."""
    failures: list[BaseException] = []
    type(task).event_handler(luigi.Event.FAILURE)(lambda _task, error: failures.append(error))
    return build(task).status.name, failures


def normalized(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


# --- pure units -------------------------------------------------------------------------------


def test_transaction_tag_names_the_family() -> None:
    assert transaction_tag("LoadOrders") == "luigi:LoadOrders"
    assert transaction_tag("reports.DailyRevenue") == "luigi:reports.DailyRevenue"


def test_transaction_tag_stays_within_spanner_limits() -> None:
    long_a = "Load" + "A" * 80
    long_b = "Load" + "A" * 79 + "B"
    tag_a, tag_b = transaction_tag(long_a), transaction_tag(long_b)
    assert len(tag_a) == 50 and len(tag_b) == 50
    assert tag_a != tag_b, "long families that differ only at the end must keep distinct tags"
    assert tag_a.startswith("luigi:LoadAAAA")
    assert transaction_tag("Caf\u00e9\tTask") == "luigi:Caf__Task"


def test_split_statements_ignores_semicolons_in_comments_and_strings() -> None:
    sql = """
    -- a comment; with a semicolon
    CREATE TABLE A (Id INT64 NOT NULL, Note STRING(MAX) DEFAULT ('x;y'),) PRIMARY KEY (Id);
    # hash comment;
    /* block; comment */
    CREATE INDEX AByNote ON A (Note);;
    """
    assert split_statements(sql) == [
        "CREATE TABLE A (Id INT64 NOT NULL, Note STRING(MAX) DEFAULT ('x;y'),) PRIMARY KEY (Id)",
        "CREATE INDEX AByNote ON A (Note)",
    ]


def test_read_migrations_orders_sample_in_version_order() -> None:
    migrations = read_migrations(ORDERS / "migrations")
    assert [(m.version, m.name) for m in migrations] == [
        (1, "customers_and_orders"),
        (2, "daily_revenue_and_markers"),
    ]
    assert [s.split("(")[0].strip() for s in migrations[0].statements] == [
        "CREATE TABLE Customers",
        "CREATE TABLE Orders",
        "CREATE INDEX OrdersByBatch ON Orders",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"create.sql": "CREATE TABLE A (Id INT64) PRIMARY KEY (Id);"}, "not named <version>_<description>.sql"),
        ({"0001_a.sql": "CREATE TABLE A (Id INT64) PRIMARY KEY (Id);", "0001_b.sql": "CREATE INDEX I ON A (Id);"}, "share version 1."),
        ({"0001_empty.sql": "-- nothing yet\n"}, "holds no statement"),
    ],
)
def test_read_migrations_rejects_bad_folders(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(MigrationError) as caught:
        read_migrations(tmp_path)
    assert expected in caught.value.message
    assert caught.value.fix


@pytest.mark.parametrize("name", luigi_spanner.contract.MIGRATION_FILE_EXAMPLES["accepted"])
def test_migration_file_names_the_contract_accepts(tmp_path: Path, name: str) -> None:
    # The same names test/unit/contract.test.ts gives the emulator's loadMigrations.
    (tmp_path / name).write_text("CREATE TABLE A (Id INT64) PRIMARY KEY (Id);")
    (migration,) = read_migrations(tmp_path)
    assert migration.version == int(name.split("_")[0].split("-")[0])


@pytest.mark.parametrize("name", luigi_spanner.contract.MIGRATION_FILE_EXAMPLES["rejected"])
def test_migration_file_names_the_contract_rejects(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("CREATE TABLE A (Id INT64) PRIMARY KEY (Id);")
    with pytest.raises(MigrationError, match="is not named <version>_<description>.sql") as caught:
        read_migrations(tmp_path)
    assert luigi_spanner.contract.MIGRATION_FILE_EXAMPLE in caught.value.fix


def test_read_migrations_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="does not exist"):
        read_migrations(tmp_path / "nope")


@pytest.mark.parametrize("sample", ["orders", "broken/time_window"])
def test_sample_marker_table_migration_matches_the_library(sample: str) -> None:
    statements = [s for m in read_migrations(SAMPLES / sample / "migrations") for s in m.statements]
    markers = [s for s in statements if s.startswith("CREATE TABLE LuigiTaskMarkers")]
    assert len(markers) == 1
    assert normalized(markers[0]) == normalized(marker_table_ddl())


def test_settings_prefer_environment_over_luigi_config() -> None:
    config = luigi.configuration.get_config()
    if not config.has_section("spanner"):
        config.add_section("spanner")
    config.set("spanner", "project", "cfg-project")
    config.set("spanner", "instance", "cfg-instance")
    config.set("spanner", "database", "cfg-database")
    config.set("spanner", "marker_table", "PipelineMarkers")
    try:
        from_config = SpannerSettings.resolve(env={})
        assert from_config == SpannerSettings("cfg-project", "cfg-instance", "cfg-database", None, "PipelineMarkers")
        from_env = SpannerSettings.resolve(
            env={"GOOGLE_CLOUD_PROJECT": "p", "SPANNER_INSTANCE": "i", "SPANNER_DATABASE": "d", "SPANNER_EMULATOR_HOST": "localhost:9010"}
        )
        assert from_env == SpannerSettings("p", "i", "d", "localhost:9010", "PipelineMarkers")
        # The tool names a workspace's custom marker table through the contract's variable.
        env = {"GOOGLE_CLOUD_PROJECT": "p", "SPANNER_INSTANCE": "i", "SPANNER_DATABASE": "d", luigi_spanner.contract.ENV_MARKER_TABLE: "RunMarkers"}
        assert SpannerSettings.resolve(env=env).marker_table == "RunMarkers"
    finally:
        config.remove_section("spanner")


def test_settings_missing_database_names_the_fix() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SpannerSettings.resolve(env={"GOOGLE_CLOUD_PROJECT": "p", "SPANNER_INSTANCE": "i"})
    assert "database is not configured" in caught.value.message
    assert "SPANNER_DATABASE" in caught.value.fix and "[spanner]" in caught.value.fix


def test_settings_reject_emulator_host_with_scheme() -> None:
    with pytest.raises(ConfigurationError, match="not host:port"):
        SpannerSettings.resolve(
            env={"GOOGLE_CLOUD_PROJECT": "p", "SPANNER_INSTANCE": "i", "SPANNER_DATABASE": "d", "SPANNER_EMULATOR_HOST": "http://localhost:9010"}
        )


def test_mutation_row_counts() -> None:
    assert Mutation.insert("T", ["A"], [[1], [2], [3]]).row_count == 3
    assert Mutation.delete("T", KeySet(keys=[[1], [2]])).row_count == 2
    assert Mutation.delete("T", KeySet(all_=True)).row_count == 0


def test_task_must_override_exactly_one_hook() -> None:
    class Neither(SpannerTask):
        pass

    class Both(SpannerTask):
        def mutations(self):
            return []

        def write(self, transaction):
            return 0

    with pytest.raises(TypeError, match="overrides neither"):
        Neither()._prepare_mutations()
    with pytest.raises(TypeError, match="overrides both"):
        Both()._prepare_mutations()


# --- against the emulator ---------------------------------------------------------------------


def customers_in_csv() -> list[list[object]]:
    import csv

    with open(ORDERS / "data" / "customers_2024-03-02.csv") as handle:
        return [[int(r["customer_id"]), r["name"], r["email"], r["country"]] for r in csv.DictReader(handle)]


def test_marker_and_rows_commit_together_with_audit_fields(
    make_database, orders_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    monkeypatch.setenv(luigi_spanner.RUN_ID_ENV, "test-run-audit")
    task = orders_pipeline.LoadCustomers()
    assert not task.complete()

    before = datetime.datetime.now(datetime.timezone.utc)
    assert build(task).status.name == "SUCCESS"
    after = datetime.datetime.now(datetime.timezone.utc)

    assert task.complete()
    rows = db.query("SELECT CustomerId, Name, Email, Country, LoadedAt FROM Customers ORDER BY CustomerId")
    assert [r[:4] for r in rows] == customers_in_csv()
    marker = task.output().read()
    assert marker is not None
    assert marker.update_id == task.task_id and marker.task_id == task.task_id
    assert marker.task_family == "LoadCustomers"
    assert marker.task_params == {"snapshot": "2024-03-02"}
    assert marker.target_table == "Customers"
    assert marker.row_count == len(rows)
    assert marker.run_id == "test-run-audit"
    assert marker.run_user == getpass.getuser()
    assert marker.run_host == socket.gethostname()
    # One commit timestamp for the rows and the marker: the same transaction.
    assert {r[4] for r in rows} == {marker.committed_at}
    assert before - datetime.timedelta(seconds=5) <= marker.committed_at <= after + datetime.timedelta(seconds=5)


def test_exception_after_mutations_are_queued_leaves_neither_rows_nor_marker(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")

    class FailsMidWrite(SpannerTask):
        target_table = "Customers"

        def write(self, transaction):
            transaction.insert("Customers", ["CustomerId", "Name", "LoadedAt"], [[1, "Queued", datetime.datetime.now(datetime.timezone.utc)]])
            raise RuntimeError("failed after queueing a mutation")

    task = FailsMidWrite()
    status, failures = build_recording_failures(task)
    assert status == "FAILED"
    assert [str(f) for f in failures] == ["failed after queueing a mutation"]
    assert db.query("SELECT COUNT(*) FROM Customers") == [[0]]
    assert db.query("SELECT COUNT(*) FROM LuigiTaskMarkers") == [[0]]
    assert not task.complete()


def test_crash_before_the_commit_leaves_nothing_and_a_rerun_completes_exactly_once(make_database, orders_pipeline) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    task = orders_pipeline.LoadCustomers()

    with crash_after_commits(0) as commits:
        assert build(task).status.name == "FAILED"
    assert commits.succeeded == 0
    assert db.query("SELECT COUNT(*) FROM Customers") == [[0]]
    assert not task.complete(), "no marker without the data"

    assert build(task).status.name == "SUCCESS"
    assert db.query("SELECT COUNT(*) FROM Customers") == [[len(customers_in_csv())]]
    assert db.query("SELECT COUNT(*) FROM LuigiTaskMarkers") == [[1]]


def test_commit_refused_by_spanner_rolls_back_the_marker(make_database) -> None:
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")

    class OrderOfUnknownCustomer(SpannerTask):
        target_table = "Orders"

        def mutations(self):
            yield Mutation.insert(
                "Orders",
                ["OrderId", "CustomerId", "OrderDate", "Amount", "Status", "Batch", "LoadedAt"],
                [[1, 999, datetime.date(2024, 3, 1), 1, "completed", "b", luigi_spanner_commit_ts()]],
            )

    task = OrderOfUnknownCustomer()
    status, failures = build_recording_failures(task)
    assert status == "FAILED"
    assert len(failures) == 1 and isinstance(failures[0], GoogleAPICallError)
    assert "FK_OrdersCustomer" in str(failures[0]) or "foreign key" in str(failures[0]).lower()
    assert db.query("SELECT COUNT(*) FROM Orders") == [[0]]
    assert not task.complete()


def luigi_spanner_commit_ts():
    from google.cloud import spanner

    return spanner.COMMIT_TIMESTAMP


def test_a_completed_task_run_again_writes_nothing(make_database) -> None:
    # What a central scheduler does when the worker that ran a task died right after its commit:
    # it hands the task out again. The retry finds the marker and writes nothing.
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")

    class RenameCustomer(SpannerTask):
        name = luigi.Parameter(significant=False)
        target_table = "Customers"

        def mutations(self):
            yield Mutation.insert_or_update("Customers", ["CustomerId", "Name", "LoadedAt"], [[7, self.name, luigi_spanner_commit_ts()]])

    first = RenameCustomer(name="first")
    first.run()
    assert first.already_committed is None
    # Same task id (name is not significant): the retry.
    second = RenameCustomer(name="second")
    second.run()
    assert second.already_committed is not None and second.already_committed.row_count == 1
    assert second.committed_at == first.committed_at
    assert db.query("SELECT Name FROM Customers") == [["first"]]
    assert db.query("SELECT COUNT(*) FROM LuigiTaskMarkers") == [[1]]


def test_the_marker_insert_itself_still_refuses_a_second_marker(make_database) -> None:
    # Code that records markers by hand (SpannerMarkerTarget.record) keeps the plain insert:
    # a second marker for one task fails the whole transaction, its rows included.
    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    target = SpannerMarkerTarget("by-hand", target_table="Customers")

    def write(transaction, name):
        transaction.insert_or_update("Customers", ["CustomerId", "Name", "LoadedAt"], [[8, name, luigi_spanner_commit_ts()]])
        target.record(transaction, task_id="T", task_family="T", task_params={}, row_count=1)

    target.database().run_in_transaction(write, "first")
    with pytest.raises(AlreadyExists):
        target.database().run_in_transaction(write, "second")
    assert db.query("SELECT Name FROM Customers WHERE CustomerId = 8") == [["first"]]


def test_every_commit_carries_the_family_transaction_tag(
    make_database, orders_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_database(ORDERS / "migrations")
    sent_tags: list[str] = []
    real_commit = SpannerClient.commit

    def observing_commit(self, *args, **kwargs):
        sent_tags.append(kwargs["request"].request_options.transaction_tag)
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(SpannerClient, "commit", observing_commit)
    assert build(orders_pipeline.LoadOrders(batch="2024-03-01")).status.name == "SUCCESS"
    # Retries after an abort resend the same tag; order of first use is the task order.
    assert list(dict.fromkeys(sent_tags)) == ["luigi:LoadCustomers", "luigi:LoadOrders"]


def test_exists_without_marker_table_says_which_migration_is_missing(make_database, tmp_path: Path) -> None:
    (tmp_path / "0001_only_customers.sql").write_text(
        "CREATE TABLE Customers (CustomerId INT64 NOT NULL) PRIMARY KEY (CustomerId);"
    )
    make_database(tmp_path)
    with pytest.raises(MarkerTableMissing) as caught:
        SpannerMarkerTarget("some-task").exists()
    assert "LuigiTaskMarkers does not exist" in caught.value.message
    assert "marker_table_ddl" in caught.value.fix


@pytest.mark.parametrize(("instance", "database", "what"), [("pytest-missing", "d", "instance"), (None, "missing-db", "database")])
def test_exists_against_a_missing_instance_or_database_says_so(emulator, instance, database, what) -> None:
    settings = SpannerSettings(emulator.project, instance or emulator.instance, database, emulator.host)
    with pytest.raises(ConfigurationError) as caught:
        SpannerMarkerTarget("some-task", settings=settings).exists()
    assert f"The {what} of projects/{emulator.project}" in caught.value.message
    assert caught.value.fix
