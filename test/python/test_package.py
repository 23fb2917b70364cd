"""luigi-spanner as a user installs it: a wheel built with pip, installed with its declared
dependencies into a fresh venv, imported from there (never from the sources), running the orders
sample through ``python -m luigi_spanner.runner`` against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import ORDERS, PYTHON_DIR, REPO, SpannerTestDatabase, expected_orders, parse_event_lines
from luigi_spanner import contract

REQUIREMENTS = PYTHON_DIR / "requirements.txt"


def build_wheel(out: Path) -> Path:
    # As scripts/build-wheel.mjs does: pip wheel, no dependencies, flit_core from this venv.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check", "-q", "-w", str(out), str(PYTHON_DIR)],
        check=True,
        timeout=120,
    )
    (wheel,) = out.glob("luigi_spanner-*-py3-none-any.whl")
    return wheel


def test_the_wheel_carries_the_package_and_its_requirements(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for needed in ("luigi_spanner/__init__.py", "luigi_spanner/py.typed", "luigi_spanner/contract.py", "luigi_spanner/runner/__main__.py"):
        assert needed in names, sorted(names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if not n.startswith(("luigi_spanner/", "luigi_spanner-"))], "only the package ships"
    assert "Requires-Python: >=3.10" in metadata
    for dependency in ("luigi>=", "google-cloud-spanner>=", "sqlparse>="):
        assert f"Requires-Dist: {dependency}" in metadata, metadata


def test_wheel_in_a_fresh_venv_imports_and_runs_a_pipeline(tmp_path: Path, make_database) -> None:
    wheel = build_wheel(tmp_path / "wheel")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # The wheel's own dependency ranges, resolved to the versions the suite pins (pip's cache keeps it quick).
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-c", str(REQUIREMENTS), str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    # Outside the repo, with no path pointing at the sources: the import must come from the venv.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    probe = subprocess.run(
        [str(python), "-c", "import json, luigi_spanner, luigi_spanner.runner.cli; print(json.dumps([luigi_spanner.__file__, luigi_spanner.__version__]))"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    where, version = json.loads(probe.stdout)
    assert Path(where).resolve().is_relative_to(venv.resolve()), where
    assert not Path(where).resolve().is_relative_to(REPO)

    db: SpannerTestDatabase = make_database(ORDERS / "migrations")
    run = subprocess.run(
        [str(python), "-m", contract.RUNNER_MODULE, "--file", str(ORDERS / "pipeline.py"), "--task", "AllReports"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={k: v for k, v in db.env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        timeout=300,
    )
    assert run.returncode == contract.EXIT_OK, run.stderr[-3000:]
    events = parse_event_lines(run.stdout)
    assert events[0]["type"] == "run" and events[0]["luigiSpanner"] == version
    assert events[-1]["type"] == "summary" and events[-1]["status"] == "SUCCESS"
    orders = db.query("SELECT OrderId, CustomerId, OrderDate, Amount, Status, Batch FROM Orders ORDER BY OrderId")
    assert [[*r[:2], r[2].isoformat(), *r[3:]] for r in orders] == expected_orders(ORDERS / "data")
