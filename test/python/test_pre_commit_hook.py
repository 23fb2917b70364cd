"""The `luigi-spanner-lint` pre-commit hook, installed the way a team installs it.

`pre-commit try-repo` clones this repository (as committed: the test commits a copy of the
working tree, so it sees what a fresh clone sees) and runs the hook (`language: script`,
scripts/pre-commit-lint.sh, which builds the CLI in the clone on first use) in a repository of
pipelines. It must fail with the findings on a broken pipeline and pass on a clean one.

Slow (each try-repo clone builds the CLI once: npm ci with a warm npm cache, then esbuild);
needs `node`, `npm`, `git` and pre-commit (test/python/requirements.txt).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, SAMPLES

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _commit_all(folder: Path, message: str) -> None:
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as a fresh clone would have it: tracked and new, not ignored, files."""
    listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    target = tmp_path_factory.mktemp("hook-repo")
    for relative in filter(None, listed):
        source = REPO / relative
        if not source.is_file():  # deleted in the working tree
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative)
    _git(target, "init", "-q", "-b", "main")
    _commit_all(target, "the tool as committed")
    return target


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Fresh, so the hook's environment is installed from the clone and never from an old cache.
    return tmp_path_factory.mktemp("pre-commit-home")


def _pipelines_repo(folder: Path, sample: Path) -> Path:
    shutil.copytree(sample, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git(folder, "init", "-q", "-b", "main")
    _commit_all(folder, "pipelines")
    return folder


def _try_repo(pipelines: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", **GIT_IDENTITY}
    # The npm cache of this machine answers most requests; the registry the rest.
    env.setdefault("npm_config_prefer_offline", "true")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "luigi-spanner-lint", "--all-files", "--verbose"],
        cwd=pipelines,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_fails_with_the_findings_on_a_broken_pipeline(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    pipelines = _pipelines_repo(tmp_path / "pipelines", SAMPLES / "broken" / "marker_outside_txn")
    result = _try_repo(pipelines, hook_repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "luigi-spanner lint" in output and "Failed" in output, output
    # The finding itself: code, file and line, as the CLI prints it.
    assert "LS001" in output, output
    assert "pipeline.py:" in output, output


def test_hook_passes_on_a_clean_pipeline(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    pipelines = _pipelines_repo(tmp_path / "pipelines", SAMPLES / "orders")
    result = _try_repo(pipelines, hook_repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output, output
