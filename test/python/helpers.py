"""Shared test helpers: emulator databases, the runner as a subprocess, commit fault injection."""

from __future__ import annotations

import contextlib
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

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "extension" / "python"
RUNNER = PYTHON_DIR / "runner.py"
SAMPLES = REPO / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVENT_PREFIX = "@@luigi-spanner@@ "


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


# Keys each event type must carry (the contract extension/core/runs/events.ts validates).
REQUIRED_KEYS = {
    "run": {"file", "task"},
    "discovered": {"id", "family", "params"},
    "complete": {"id", "family"},
    "missing": {"id", "family"},
    "started": {"id", "family", "attempt"},
    "progress": {"id", "family"},
    "succeeded": {"id", "family"},
    "failed": {"id", "family", "phase", "message"},
    "retried": {"id", "family", "attempt"},
    "summary": {"status", "success", "tasks", "seconds"},
    "error": {"message", "fix"},
}


def parse_event_lines(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.splitlines():
        assert line.startswith(EVENT_PREFIX), f"line without the event prefix on the event channel: {line!r}"
        event = json.loads(line[len(EVENT_PREFIX) :])
        assert isinstance(event.get("time"), float) and isinstance(event.get("runId"), str), event
        missing = REQUIRED_KEYS[event["type"]] - event.keys()
        assert not missing, f"{event['type']} event without {missing}: {event}"
        assert None not in event.values(), f"null field in {event}"
        events.append(event)
    return events


def run_runner(args: list[str], env: dict[str, str], timeout: float = 120, stdin: Optional[str] = None) -> RunnerResult:
    """Run the shim like the extension does: its own process, events on stdout."""
    completed = subprocess.run(
        [sys.executable, str(RUNNER), *args],
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
            [sys.executable, str(RUNNER), *args, "--events-fd", str(write_end)],
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
    sys.path.insert(0, str(PYTHON_DIR))
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
