"""Tells luigid about tasks a worker found complete but luigid never counted as DONE.

Luigi's central scheduler ignores a worker's DONE for a task it holds RUNNING for another worker.
When that other worker died after its commit (the task's rows and marker landed), the survivors
find the task complete and report DONE, which luigid drops; once luigid gives up on the dead
worker it marks the task FAILED (then PENDING after ``retry_delay``), and no live worker is
listed as able to run it: a complete task never runs again, so every task downstream waits, and
keep-alive workers wait for ever.

A keep-alive worker that is idle while tasks are pending asks again, for each task it found
complete: the task is checked once more (a forced rerun may have deleted its marker meanwhile),
then luigid's ``mark_as_done`` records it DONE (it does so for RUNNING, FAILED and DISABLED tasks)
and the dependents become runnable. A task luigid answers DONE for is settled and not asked about
again, so a healthy run pays one check per such task, once.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

logger = logging.getLogger("luigi-interface")

#: A worker idle this long with tasks pending starts asking (short waits for others never do).
IDLE_BEFORE_RECONCILE_SECONDS = 5.0
#: And asks again at most this often.
RECONCILE_INTERVAL_SECONDS = 5.0


class DoneReconciler:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._unsettled: set[str] = set()
        self._idle_since: Optional[float] = None
        self._last_pass: Optional[float] = None
        self._disabled = False

    def found_complete(self, task_id: str) -> None:
        """The worker reported ``task_id`` DONE without running it (its complete() was true)."""
        self._unsettled.add(task_id)

    def busy(self) -> None:
        self._idle_since = None

    def idle(self, worker: Any) -> None:
        """Called on each keep-alive wait: nothing to run, nothing running, tasks pending."""
        now = self._clock()
        if self._idle_since is None:
            self._idle_since = now
        if self._disabled or not self._unsettled or now - self._idle_since < IDLE_BEFORE_RECONCILE_SECONDS:
            return
        if self._last_pass is not None and now - self._last_pass < RECONCILE_INTERVAL_SECONDS:
            return
        self._last_pass = now
        self.reconcile(worker)

    def reconcile(self, worker: Any) -> list[str]:
        """One pass; returns the ids luigid holds DONE now (they are settled)."""
        from luigi.scheduler import DONE, PENDING, UNKNOWN

        scheduler, tasks = worker._scheduler, worker._scheduled_tasks
        settled = []
        for task_id in sorted(self._unsettled):
            task = tasks.get(task_id)
            try:
                complete = task is not None and bool(task.complete())
            except Exception:  # noqa: BLE001 -- Luigi logs complete() errors itself; ask next pass
                continue
            if not complete:
                # No longer complete (a forced rerun): Luigi's own scheduling takes it from here.
                self._unsettled.discard(task_id)
                continue
            try:
                answer = scheduler.mark_as_done(task_id=task_id)
                status = answer.get("status") if isinstance(answer, dict) else None
                if status in (PENDING, UNKNOWN):
                    # Back to PENDING after retry_delay, listed as runnable by nobody: a plain DONE
                    # from this worker is taken for a task that is not running.
                    scheduler.add_task(worker=worker._id, task_id=task_id, status=DONE, runnable=False)
                    logger.info("Reported %s DONE again: luigid held it %s with no worker to run it", task_id, status)
                    continue  # settled when luigid answers DONE on the next pass
            except Exception as error:  # noqa: BLE001 -- a luigid without mark_as_done, or unreachable
                logger.warning("luigid did not take mark_as_done for %s (%s); not asking again", task_id, error)
                self._disabled = True
                return settled
            if status == DONE or status is None:  # None: luigid forgot the task, nothing waits on it
                self._unsettled.discard(task_id)
                settled.append(task_id)
        return settled
