"""The runner's answer to a Luigi central-scheduler hang (luigi_spanner/runner/reconcile.py), on
Luigi's own scheduler and worker: a worker died after its task's commit, so the task is complete
but luigid holds it RUNNING (then FAILED, then PENDING) for the dead worker, and ignores the DONE
of the survivors, whose downstream tasks then wait for ever."""

from __future__ import annotations

import time
from pathlib import Path

import luigi
import luigi.scheduler
import luigi.worker
import pytest

from luigi_spanner.runner.reconcile import DoneReconciler


@pytest.fixture()
def tasks(tmp_path: Path):
    class Upstream(luigi.Task):
        def output(self):
            return luigi.LocalTarget(str(tmp_path / "upstream.done"))

    class Downstream(luigi.Task):
        def requires(self):
            return Upstream()

        def output(self):
            return luigi.LocalTarget(str(tmp_path / "downstream.done"))

    return Upstream, Downstream, tmp_path


def running_for_dead_worker(scheduler: luigi.scheduler.Scheduler, task_id: str) -> None:
    """The dead worker took the task; its commit landed (the output exists) before it died."""
    scheduler.add_task(worker="dead", task_id=task_id, status=luigi.scheduler.PENDING, runnable=True)
    assert scheduler.get_work(worker="dead")["task_id"] == task_id


def status(scheduler: luigi.scheduler.Scheduler, task_id: str) -> str:
    return scheduler._state.get_task(task_id).status


def test_a_complete_task_held_running_for_a_dead_worker_becomes_done(tasks) -> None:
    Upstream, Downstream, folder = tasks
    scheduler = luigi.scheduler.Scheduler(retry_delay=0)
    up, down = Upstream(), Downstream()
    running_for_dead_worker(scheduler, up.task_id)
    (folder / "upstream.done").write_text("committed")

    with luigi.worker.Worker(scheduler=scheduler, worker_id="survivor") as survivor:
        assert survivor.add(down)
        # Luigi as it is: the survivor's DONE for Upstream is dropped, Downstream cannot start.
        assert status(scheduler, up.task_id) == luigi.scheduler.RUNNING
        assert scheduler.get_work(worker="survivor")["task_id"] is None

        reconciler = DoneReconciler()
        reconciler.found_complete(up.task_id)
        assert reconciler.reconcile(survivor) == [up.task_id]
        assert status(scheduler, up.task_id) == luigi.scheduler.DONE
        assert scheduler.get_work(worker="survivor")["task_id"] == down.task_id
        # Settled: not asked about again.
        assert reconciler.reconcile(survivor) == []


def test_a_complete_task_back_to_pending_with_nobody_to_run_it_becomes_done(tasks) -> None:
    Upstream, Downstream, folder = tasks
    scheduler = luigi.scheduler.Scheduler(retry_delay=0, worker_disconnect_delay=0.1)
    up, down = Upstream(), Downstream()
    running_for_dead_worker(scheduler, up.task_id)
    (folder / "upstream.done").write_text("committed")

    with luigi.worker.Worker(scheduler=scheduler, worker_id="survivor") as survivor:
        assert survivor.add(down)
        # luigid lets the dead worker go: its task FAILED, then PENDING (retry_delay 0), and the
        # only worker listed as able to run it is the dead one.
        time.sleep(0.2)
        scheduler.ping(worker="survivor")
        scheduler.prune()
        scheduler.prune()
        assert status(scheduler, up.task_id) == luigi.scheduler.PENDING
        assert scheduler.get_work(worker="survivor")["task_id"] is None

        reconciler = DoneReconciler()
        reconciler.found_complete(up.task_id)
        assert reconciler.reconcile(survivor) == []  # reported DONE again, settled on the next pass
        assert status(scheduler, up.task_id) == luigi.scheduler.DONE
        assert reconciler.reconcile(survivor) == [up.task_id]
        assert scheduler.get_work(worker="survivor")["task_id"] == down.task_id


def test_a_task_no_longer_complete_is_left_to_luigi(tasks) -> None:
    Upstream, Downstream, folder = tasks
    scheduler = luigi.scheduler.Scheduler(retry_delay=0)
    up = Upstream()
    running_for_dead_worker(scheduler, up.task_id)  # its output is not there: a live run, or a forced rerun
    with luigi.worker.Worker(scheduler=scheduler, worker_id="survivor") as survivor:
        survivor.add(Downstream())
        reconciler = DoneReconciler()
        reconciler.found_complete(up.task_id)
        assert reconciler.reconcile(survivor) == []
        assert status(scheduler, up.task_id) == luigi.scheduler.RUNNING


def test_only_a_worker_idle_for_a_while_asks(tasks) -> None:
    Upstream, Downstream, folder = tasks
    scheduler = luigi.scheduler.Scheduler(retry_delay=0)
    up = Upstream()
    running_for_dead_worker(scheduler, up.task_id)
    (folder / "upstream.done").write_text("committed")
    now = [100.0]
    with luigi.worker.Worker(scheduler=scheduler, worker_id="survivor") as survivor:
        survivor.add(Downstream())
        reconciler = DoneReconciler(clock=lambda: now[0])
        reconciler.found_complete(up.task_id)
        reconciler.idle(survivor)
        now[0] += 2
        reconciler.idle(survivor)
        assert status(scheduler, up.task_id) == luigi.scheduler.RUNNING  # a short wait asks nothing
        now[0] += 4
        reconciler.idle(survivor)
        assert status(scheduler, up.task_id) == luigi.scheduler.DONE
