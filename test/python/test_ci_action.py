"""The GitHub Action (action.yml) and the example workflow (docs/examples/luigi-spanner-lint.yml).

GitHub is not here, so the test checks the wiring a runner would follow (inputs reach the lint
step as environment variables; the workflow uploads the SARIF with upload-sarif, also after a
failed lint) and runs the action's lint step as the runner does: scripts/ci-lint.sh with
GITHUB_ACTION_PATH and GITHUB_OUTPUT, on the built CLI (dist/cli.js, from `npm run build`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import REPO, SAMPLES

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
WORKFLOW = yaml.safe_load((REPO / "docs" / "examples" / "luigi-spanner-lint.yml").read_text())


def test_action_passes_every_input_to_the_lint_step_through_the_environment() -> None:
    assert ACTION["runs"]["using"] == "composite"
    lint = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "lint")
    assert lint["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/ci-lint.sh"'
    # Inputs never spliced into the script text (no `${{ inputs.* }}` in run:).
    for step in ACTION["runs"]["steps"]:
        assert "inputs." not in step.get("run", ""), step
    passed = {value.removeprefix("${{ inputs.").removesuffix(" }}") for value in lint["env"].values()}
    assert passed == set(ACTION["inputs"]), passed
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"


def test_example_workflow_lints_with_the_action_and_uploads_sarif_also_after_findings() -> None:
    steps = WORKFLOW["jobs"]["lint"]["steps"]
    lint = next(step for step in steps if step.get("id") == "lint")
    assert lint["uses"].startswith("luigi-spanner/luigi-spanner@")
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == lint["with"]["sarif-file"]
    assert upload["if"].startswith("always()")
    assert "steps.lint.outputs.exit-code == '1'" in upload["if"]
    assert WORKFLOW["permissions"]["security-events"] == "write"


def _lint_step(tmp_path: Path, cwd: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    if not (REPO / "dist" / "cli.js").is_file():
        pytest.fail("dist/cli.js is missing. Fix: npm run build")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "GITHUB_ACTION_PATH": str(REPO), "GITHUB_OUTPUT": str(output)}
    env.update({f"LS_{name.upper()}": value for name, value in inputs.items()})
    result = subprocess.run(["bash", str(REPO / "scripts" / "ci-lint.sh")], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return result, outputs


def test_lint_step_fails_with_findings_in_the_log_and_in_sarif(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    result, outputs = _lint_step(tmp_path, SAMPLES / "broken" / "marker_outside_txn", fail_on="error", sarif=str(sarif), paths="", args="")
    assert result.returncode == 1, result.stderr
    assert outputs["exit-code"] == "1"
    assert "LS001" in result.stdout
    log = json.loads(sarif.read_text())
    results = log["runs"][0]["results"]
    assert any(r["ruleId"] == "LS001" for r in results)
    # Paths relative to where the workflow runs (the repository root), as code scanning needs.
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert "pipeline.py" in locations


def test_lint_step_passes_on_clean_code_and_honours_args(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    result, outputs = _lint_step(tmp_path, SAMPLES / "orders", fail_on="error", sarif=str(sarif), paths="pipeline.py migrations", args="--disable LS101")
    assert result.returncode == 0, result.stderr
    assert outputs["exit-code"] == "0"
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []


def test_lint_step_on_bad_input_exits_2_and_leaves_no_sarif(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    result, outputs = _lint_step(tmp_path, SAMPLES / "orders", fail_on="sometimes", sarif=str(sarif))
    assert result.returncode == 2
    assert outputs["exit-code"] == "2"
    assert not sarif.exists()
