"""Fixtures: one emulator for the session, a fresh database per test.

The emulator is the one named by SPANNER_EMULATOR_HOST when set; otherwise the
project's CLI starts (or reuses) one: `node dist/cli.js emulator start --json`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest


def _installed_package_current() -> None:
    """The tests use luigi_spanner as installed in this interpreter (the wheel scripts/setup.sh
    builds), never the sources on a path: after an edit the wheel must be reinstalled."""
    sources = Path(__file__).resolve().parents[2] / "extension" / "python" / "luigi_spanner"
    try:
        import luigi_spanner
    except ImportError:
        pytest.exit(f"{sys.executable} has no luigi_spanner. Fix: bash scripts/setup.sh (installs the wheel into .venv).", 2)
    installed = Path(luigi_spanner.__file__).resolve().parent
    stale = [
        str(path.relative_to(sources))
        for path in sources.rglob("*.py")
        if not (installed / path.relative_to(sources)).is_file()
        or (installed / path.relative_to(sources)).read_bytes() != path.read_bytes()
    ]
    if stale:
        pytest.exit(f"{installed} is older than the sources ({', '.join(stale[:3])}). Fix: bash scripts/setup.sh (rebuilds and reinstalls the wheel).", 2)


_installed_package_current()

from google.api_core.exceptions import AlreadyExists  # noqa: E402
from google.cloud import spanner  # noqa: E402

import luigi_spanner  # noqa: E402
from helpers import REPO, Emulator, SpannerTestDatabase, unique_database_id  # noqa: E402

DEFAULT_PROJECT = "luigi-spanner-test"
DEFAULT_INSTANCE = "pytest"


def _emulator_from_cli() -> Emulator:
    cli = REPO / "dist" / "cli.js"
    node = shutil.which("node")
    if node is None or not cli.is_file():
        pytest.fail(
            "No emulator: SPANNER_EMULATOR_HOST is unset and dist/cli.js is missing. "
            "Fix: run `npm run build`, or start one (docker run -d --rm -p 127.0.0.1:9010:9010 "
            "luigi-spanner/emulator:local) and export SPANNER_EMULATOR_HOST=127.0.0.1:9010."
        )
    # From an empty folder, so no workspace luigi-spanner.json adds migrations or seeds to it.
    with tempfile.TemporaryDirectory() as empty:
        completed = subprocess.run(
            [node, str(cli), "emulator", "start", "--json"], capture_output=True, text=True, timeout=180, cwd=empty
        )
    if completed.returncode != 0:
        pytest.fail(f"`luigi-spanner emulator start --json` failed ({completed.returncode}):\n{completed.stderr}")
    info = json.loads(completed.stdout)
    return Emulator(host=info["host"], project=info["projectId"], instance=info["instanceId"])


@pytest.fixture(scope="session")
def emulator() -> Emulator:
    host = os.environ.get("SPANNER_EMULATOR_HOST")
    if host:
        found = Emulator(
            host=host,
            project=os.environ.get("GOOGLE_CLOUD_PROJECT") or DEFAULT_PROJECT,
            instance=os.environ.get("SPANNER_INSTANCE") or DEFAULT_INSTANCE,
        )
    else:
        found = _emulator_from_cli()
    # Before any client exists: the client reads these when it is created.
    os.environ["SPANNER_EMULATOR_HOST"] = found.host
    luigi_spanner.prepare_emulator_environment(found.host)
    instance = spanner.Client(project=found.project).instance(
        found.instance,
        configuration_name=f"projects/{found.project}/instanceConfigs/emulator-config",
        display_name=found.instance,
        node_count=1,
    )
    try:
        instance.create().result(60)
    except AlreadyExists:
        pass
    return found


@pytest.fixture
def make_database(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], SpannerTestDatabase]]:
    """Create a database with a folder's migrations; in-process code (luigi_spanner.connect) points at it.

    Dropped after the test: the emulator holds at most 100 databases per instance.
    """
    created: list[SpannerTestDatabase] = []
    instance = luigi_spanner.client(
        luigi_spanner.SpannerSettings(emulator.project, emulator.instance, "unused", emulator.host)
    ).instance(emulator.instance)

    def make(migrations_dir: Path) -> SpannerTestDatabase:
        database_id = unique_database_id()
        database = luigi_spanner.create_database(instance, database_id, migrations_dir)
        found = SpannerTestDatabase(emulator, database_id, database)
        created.append(found)
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", emulator.project)
        monkeypatch.setenv("SPANNER_INSTANCE", emulator.instance)
        monkeypatch.setenv("SPANNER_DATABASE", database_id)
        return found

    yield make
    for found in created:
        found.database.drop()
