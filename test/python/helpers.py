"""Shared test helpers: emulator databases, the runner as a subprocess, commit fault injection."""

from __future__ import annotations

import collections
import contextlib
import csv
import decimal
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Optional

from google.cloud.spanner_v1.batch import Batch
from google.cloud.spanner_v1.database import Database
from google.cloud.spanner_v1.transaction import Transaction

from luigi_spanner import contract

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "extension" / "python"
#: How the extension and the CLI start the runner: from the installed package, never a path.
RUNNER = [sys.executable, "-m", contract.RUNNER_MODULE]
SAMPLES = REPO / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVENT_PREFIX = contract.EVENT_PREFIX


# The orders sample and the rows a clean run of it writes (from its CSV exports).
ORDERS = SAMPLES / "orders"
BATCHES = ("2024-03-01", "2024-03-02")


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path) as handle:
        return list(csv.DictReader(handle))


def expected_orders(data_dir: Path) -> list[list[object]]:
    rows = []
    for batch in BATCHES:
        for r in csv_rows(data_dir / f"orders_{batch}.csv"):
            rows.append([int(r["order_id"]), int(r["customer_id"]), r["order_date"], decimal.Decimal(r["amount"]), r["status"], batch])
    return sorted(rows)


def expected_daily_revenue(data_dir: Path) -> list[list[object]]:
    totals: dict[tuple[str, str], list] = collections.defaultdict(lambda: [decimal.Decimal(0), 0])
    for batch in BATCHES:
        for r in csv_rows(data_dir / f"orders_{batch}.csv"):
            if r["status"] == "completed":
                totals[(r["order_date"], batch)][0] += decimal.Decimal(r["amount"])
                totals[(r["order_date"], batch)][1] += 1
    return sorted([day, batch, revenue, count] for (day, batch), (revenue, count) in totals.items())


@dataclass
class Emulator:
    host: str
    project: str
    instance: str


@dataclass
class SpannerTestDatabase:
    emulator: Emulator
    database_id: str
    database: Database

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a runner subprocess pointed at this database."""
        env = dict(os.environ)
        env.update(
            SPANNER_EMULATOR_HOST=self.emulator.host,
            GOOGLE_CLOUD_PROJECT=self.emulator.project,
            SPANNER_INSTANCE=self.emulator.instance,
            SPANNER_DATABASE=self.database_id,
            GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS="false",
            GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_FOR_RW="false",
            GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_PARTITIONED_OPS="false",
        )
        env.pop("LUIGI_SPANNER_RUN_ID", None)
        env.update(extra)
        return env

    def query(self, sql: str, params: Optional[dict[str, Any]] = None, param_types: Optional[dict[str, Any]] = None) -> list[list[Any]]:
        with self.database.snapshot() as snapshot:
            return [list(row) for row in snapshot.execute_sql(sql, params=params, param_types=param_types)]


def unique_database_id() -> str:
    return "t" + uuid.uuid4().hex[:24]  # Spanner allows 2-30 characters


@dataclass
class RunnerResult:
    returncode: int
    events: list[dict[str, Any]]
    stdout: str
    stderr: str
    pipe_events: bool = False

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == event_type]

    def summary(self) -> dict[str, Any]:
        summaries = self.of_type("summary")
        assert len(summaries) == 1, f"expected one summary, got {len(summaries)}; stderr:\n{self.stderr[-3000:]}"
        return summaries[0]

    def task_statuses(self) -> dict[str, str]:
        return {t["family"] + repr(sorted(_params(self, t["id"]).items())): t["status"] for t in self.summary()["tasks"]}


def _params(result: RunnerResult, task_id: str) -> dict[str, str]:
    for event in result.of_type("discovered"):
        if event["id"] == task_id:
            return event["params"]
    return {}


def contract_violations(event: dict[str, Any]) -> list[str]:
    """What in ``event`` breaks the contract (extension/shared/contract.json), which the editor's
    parser is generated from: a missing required field, an undeclared one, a wrong type, a null."""
    spec = contract.EVENT_TYPES.get(event.get("type"))
    if spec is None:
        return [f"unknown event type {event.get('type')!r}"]
    fields = {"type": "string", "time": "number", "runId": "string", **({"id": "string", "family": "string"} if spec["task"] else {}), **spec["fields"]}
    return _shape_violations(event, fields, event["type"])


def _shape_violations(value: dict[str, Any], fields: dict[str, str], where: str) -> list[str]:
    problems = [f"{where}: undeclared field {name!r}" for name in value.keys() - fields.keys()]
    for name, declared in fields.items():
        optional = declared.startswith("?")
        if name not in value:
            if not optional:
                problems.append(f"{where}: missing {name!r}")
            continue
        problems += _type_violations(value[name], declared.lstrip("?"), f"{where}.{name}")
    return problems


def _type_violations(value: Any, declared: str, where: str) -> list[str]:
    if declared.endswith("[]"):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not an array"]
        return [p for i, item in enumerate(value) for p in _type_violations(item, declared[:-2], f"{where}[{i}]")]
    if declared.startswith("record("):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return [p for k, item in value.items() for p in _type_violations(item, declared[7:-1], f"{where}.{k}")]
    if declared.startswith("enum("):
        return [] if value in declared[5:-1].split("|") else [f"{where}: {value!r} is not one of {declared}"]
    if declared in contract.EVENT_SHAPES:
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return _shape_violations(value, contract.EVENT_SHAPES[declared], where)
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }
    return [] if checks[declared](value) else [f"{where}: {value!r} is not {declared}"]


def parse_event_lines(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.splitlines():
        assert line.startswith(EVENT_PREFIX), f"line without the event prefix on the event channel: {line!r}"
        event = json.loads(line[len(EVENT_PREFIX) :])
        problems = contract_violations(event)
        assert not problems, f"event breaks the contract: {problems}\n{event}"
        events.append(event)
    return events


def run_runner(args: list[str], env: dict[str, str], timeout: float = 120, stdin: Optional[str] = None) -> RunnerResult:
    """Run the shim like the extension does: its own process, events on stdout."""
    completed = subprocess.run(
        [*RUNNER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    return RunnerResult(completed.returncode, parse_event_lines(completed.stdout), completed.stdout, completed.stderr)


def run_runner_with_events_fd(args: list[str], env: dict[str, str], timeout: float = 120) -> RunnerResult:
    """Run the shim with events on a dedicated pipe (--events-fd)."""
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [*RUNNER, *args, "--events-fd", str(write_end)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=[write_end],
        )
    finally:
        os.close(write_end)
    with os.fdopen(read_end, "r", encoding="utf-8") as events_pipe:
        events_text = events_pipe.read()
    stdout, stderr = process.communicate(timeout=timeout)
    return RunnerResult(process.returncode, parse_event_lines(events_text), stdout, stderr, pipe_events=True)


def load_module(path: Path) -> ModuleType:
    """Import a pipeline file under a unique name, as the runner would, so samples never collide."""
    name = f"pipeline_{path.parent.name}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class SimulatedCrash(Exception):
    """Stands for the process dying at a commit: raised instead of sending it."""


@dataclass
class CommitCounter:
    crash_after: Optional[int]
    succeeded: int = 0
    attempts: int = 0


@contextlib.contextmanager
def crash_after_commits(count: Optional[int]) -> Iterator[CommitCounter]:
    """Let ``count`` commits succeed, then make the next one raise SimulatedCrash, unsent.

    Wraps the real client's commit methods (read-write transactions and batches) in this
    process; ``None`` only counts. Aborted attempts that the client retries do not count as
    commits, so fault-injecting emulators do not shift the cut. The same cut the runner's
    fault hook will make (issue 8).
    """
    counter = CommitCounter(count)
    originals = {Transaction: Transaction.commit, Batch: Batch.commit}

    def wrap(cls: type) -> Any:
        original = originals[cls]

        def commit(self: Any, *args: Any, **kwargs: Any) -> Any:
            counter.attempts += 1
            if counter.crash_after is not None and counter.succeeded == counter.crash_after:
                raise SimulatedCrash(f"simulated crash after {counter.succeeded} commits")
            result = original(self, *args, **kwargs)
            counter.succeeded += 1
            return result

        return commit

    try:
        for cls in originals:
            setattr(cls, "commit", wrap(cls))
        yield counter
    finally:
        for cls, original in originals.items():
            setattr(cls, "commit", original)
