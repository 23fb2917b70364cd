"""What the debugger asks of a run: a cut after the Nth data commit, a kill at a seeded random
commit boundary, a commit trace, or a forced rerun (emulator only). Options win over the
environment variables (the contract's names), which callers that cannot add arguments set."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any, Optional

from .. import contract
from .events import EventChannel, StartError

FAIL_AFTER_COMMITS_ENV = contract.ENV_FAIL_AFTER_COMMITS
KILL_AT_RANDOM_ENV = contract.ENV_KILL_AT_RANDOM
KILL_HORIZON_ENV = contract.ENV_KILL_HORIZON
TRACE_COMMITS_ENV = contract.ENV_TRACE_COMMITS
FORCE_ENV = contract.ENV_FORCE


@dataclass(frozen=True)
class FaultPlan:
    """What the debugger asked for: a cut after the Nth data commit, a kill at a seeded random
    commit boundary, and/or a ``commit`` event per data commit."""

    fail_after_commits: Optional[int] = None
    kill_seed: Optional[int] = None
    kill_horizon: int = 8
    trace_commits: bool = False

    @property
    def active(self) -> bool:
        return self.fail_after_commits is not None or self.kill_seed is not None or self.trace_commits

    def kill_point(self) -> Optional[tuple[int, str]]:
        """(data commit number, before-commit or after-commit), drawn from the seed alone so a
        chaos run can be replayed exactly."""
        if self.kill_seed is None:
            return None
        import random

        rng = random.Random(self.kill_seed)
        return rng.randint(1, max(1, self.kill_horizon)), rng.choice(("before-commit", "after-commit"))


def fault_plan_from(args: argparse.Namespace) -> FaultPlan:
    """Options win over the environment (how callers that cannot add arguments ask for faults).
    The variables are removed so a pipeline that starts another runner does not inherit them."""
    def env_int(name: str) -> Optional[int]:
        text = os.environ.pop(name, None)
        if text is None or not text.strip():
            return None
        try:
            return int(text)
        except ValueError:
            raise StartError(f"{name}={text!r} is not a whole number.", f"Set {name} to a number, or unset it.") from None

    plan = FaultPlan(
        fail_after_commits=args.fail_after_commits if args.fail_after_commits is not None else env_int(FAIL_AFTER_COMMITS_ENV),
        kill_seed=args.kill_at_random if args.kill_at_random is not None else env_int(KILL_AT_RANDOM_ENV),
        kill_horizon=args.kill_horizon if args.kill_horizon is not None else (env_int(KILL_HORIZON_ENV) or 8),
        trace_commits=args.trace_commits or os.environ.pop(TRACE_COMMITS_ENV, "") not in ("", "0", "false"),
    )
    if plan.fail_after_commits is not None and plan.fail_after_commits < 1:
        raise StartError("--fail-after-commits must be 1 or more.", "Pass the number of data commits to let through, e.g. 1.")
    if plan.kill_horizon < 1:
        raise StartError("--kill-horizon must be 1 or more.", "Pass how many data commits a clean run makes.")
    return plan


def force_rerun(task: Any, channel: EventChannel) -> None:
    """Deletes the task's own completion markers (luigi_spanner marker rows) so it runs again.

    Only against the emulator: a marker in a real database is the record that data was
    written, and deleting it there would make the next run write the data twice.
    """
    host = os.environ.get("SPANNER_EMULATOR_HOST")
    if not host:
        raise StartError(
            "--force deletes completion markers, so it only runs against the Spanner emulator, and SPANNER_EMULATOR_HOST is not set.",
            "Run through `luigi-spanner run ... --force` (it targets the emulator), or delete the marker row yourself.",
        )
    from luigi.task import flatten
    from google.cloud.spanner_v1.keyset import KeySet
    from ..settings import connect
    from ..target import SpannerMarkerTarget

    deleted: list[dict[str, Any]] = []
    kept: list[str] = []
    for target in flatten(task.output()):
        if not isinstance(target, SpannerMarkerTarget):
            kept.append(str(target))
            continue
        settings = target.settings
        if not settings.emulator_host:
            raise StartError(
                f"--force refuses: {target} is not in an emulator database ({settings.describe()}).",
                "Point SPANNER_EMULATOR_HOST at the emulator that holds the run's database.",
            )
        existed = target.exists()
        table, update_id = settings.marker_table, target.update_id
        connect(settings).run_in_transaction(lambda txn: txn.delete(table, KeySet(keys=[[update_id]])))
        deleted.append({"table": table, "updateId": update_id, "existed": existed})
    channel.emit("forced", id=task.task_id, family=task.task_family, deleted=deleted, kept=kept or None)
    if task.complete():
        raise StartError(
            f"--force cannot make {task.task_family} run: it is still complete after its luigi_spanner markers were deleted"
            + (f" (other outputs: {', '.join(kept)})." if kept else "."),
            "Remove those outputs yourself, or give the task a luigi_spanner marker (SpannerTask).",
        )
