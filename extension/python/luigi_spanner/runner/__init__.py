"""The runner: runs one Luigi task from a pipeline file and reports each event as a JSON line.

Executed by the VS Code extension and the ``luigi-spanner run`` CLI, with the interpreter where
this package is installed (the managed venv, or one the user chose)::

    python -m luigi_spanner.runner --file PIPELINE.py --task TASK [--param NAME=VALUE ...] [--workers N]
                     [--scheduler-host HOST [--scheduler-port PORT]] [--events-fd FD]
                     [--run-id ID] [--log-level LEVEL] [--await-go]
                     [--fail-after-commits N] [--kill-at-random SEED [--kill-horizon N]]
                     [--trace-commits] [--force]

The runner imports the pipeline file as a module (its folder first on ``sys.path``; the
pipeline finds ``luigi_spanner`` where the runner came from: installed), builds the task with its parameters and runs
it through ``luigi.build(..., detailed_summary=True)``: with the local scheduler by default,
with a central ``luigid`` when ``--scheduler-host`` is given.

With ``--await-go`` the runner starts before its database exists: it loads Luigi and the
Spanner client, then waits for a ``go`` line on stdin, written by the caller once the database
is provisioned, so Python's start-up overlaps with provisioning.

Event channel
-------------
Every event is one line: the prefix ``@@luigi-spanner@@ `` and a JSON object. The prefix is
always there, whichever channel is used, so one parser serves both:

* default: events go to the runner's original stdout. Before the pipeline is imported, file
  descriptor 1 is pointed at stderr, so whatever user code, libraries, C extensions or child
  processes print lands on stderr and can never split or forge an event line. The prefix is a
  second guard for callers that merge the two streams.
* ``--events-fd N``: events go to descriptor N, a pipe the caller opened (for example
  ``stdio[3]`` in Node's ``spawn``); stdout and stderr are left alone.

Each line is written with one locked ``write`` so that task processes forked by
``--workers N`` never interleave lines. Luigi's own logging goes to stderr.

Events
------
Their fields are the contract's (extension/shared/contract.json, ``luigi_spanner.contract``): the
editor's parser is generated from it, and the tests check every event the runner sends against it.
All carry ``type``, ``time`` (Unix seconds) and ``runId``; task events carry ``id`` and ``family``.
A field whose value is unknown (no user frame, no duration yet) is left out, never null.

===========  ===============================================================================
type         other fields
===========  ===============================================================================
run          file, task, params ({name: raw value}), workers, scheduler, pid, python, luigi
discovered   module, params, parent (id of the task that requires it; absent for the root
             and for dynamic dependencies yielded from run())
complete     (already complete, will not run)
missing      (external data absent: the task cannot run)
started      attempt (a task that yields dynamic dependencies starts again once they are done)
progress     percentage and/or message (``set_progress_percentage``, ``set_status_message``)
succeeded    seconds; commits (data commits of this attempt) and aborts, abortSamples
             (ABORTED the client retried) once the Spanner client is in use
failed       phase (run, complete, requires, scheduling, process, timeout), exception,
             message, traceback, file, line (deepest frame in user code), frames, seconds;
             grpcCode and grpcStatus (e.g. 6 ALREADY_EXISTS) for Google API errors;
             mutations (the refused commit's writes), commits, committed (data commits this
             attempt made before failing), completeAfterFailure, aborts, abortSamples
retried      attempt (the scheduler hands out a task that failed earlier in this run)
summary      status (Luigi's LuigiStatusCode name, or INTERRUPTED; with a central scheduler,
             SUCCESS instead of NOT_RUN when other workers finished what this one waited
             for and the requested task is complete), success, seconds,
             summaryText, tasks: [{id, family, status, seconds}]
error        message, fix, file, line: the run could not start or Luigi gave up (exit code 2)
commit       only with --trace-commits: commit (run-wide number), tables ({table: rows}),
             timestamp, tag, file, line (user call site), writes (each with operation, table,
             rows, columns and up to 20 values, or keys for deletes, or a DML statement)
fault        only with --fail-after-commits / --kill-at-random: kind, point (before-commit,
             after-commit), commit, pid, file, line; the process running the task then dies
             by SIGKILL (with one worker that is the runner itself: no summary follows)
forced       only with --force: deleted ([{table, updateId, existed}]), kept (other outputs)
===========  ===============================================================================

Debugger options
----------------
A *data commit* is a successful commit of a batch or read-write transaction that carried
mutations or DML. The hooks wrap the client's classes (``Batch.commit``, ``Transaction.commit``,
the mutation methods and the abort-retry delay), never user code. ``--fail-after-commits N``
kills the task process right after the run's Nth data commit; ``--kill-at-random SEED`` kills it
before or after a data commit drawn from SEED among the first ``--kill-horizon`` ones. Callers
that cannot add arguments set LUIGI_SPANNER_FAIL_AFTER_COMMITS, LUIGI_SPANNER_KILL_AT_RANDOM,
LUIGI_SPANNER_KILL_HORIZON, LUIGI_SPANNER_TRACE_COMMITS=1 or LUIGI_SPANNER_FORCE=1 instead.
``--force`` (emulator only) deletes the requested task's own luigi_spanner marker rows first.

Task statuses in the summary: succeeded, complete, failed, missing, upstream_failed,
upstream_missing, scheduling_error, upstream_scheduling_error, run_by_other_worker,
upstream_run_by_other_worker, not_run, pending; after an interruption also interrupted.
``seconds`` is the wall time from dispatch to result as the scheduling process saw it.

Exit codes: 0 when Luigi reports SUCCESS or SUCCESS_WITH_RETRY, 1 when the run failed,
2 when the run could not start (bad arguments, pipeline import error, unknown task or
parameter, central scheduler unreachable), 130 when interrupted by SIGINT or SIGTERM
(a summary with status INTERRUPTED is still written).

Modules: :mod:`.events` (the channel), :mod:`.frames` (where in user code), :mod:`.hooks` (Luigi's
events, worker and summary), :mod:`.client` (Spanner client hooks), :mod:`.faults` (fault
injection, force rerun), :mod:`.pipeline` (loading the pipeline, building the task), :mod:`.cli`.
"""
