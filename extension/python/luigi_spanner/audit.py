"""Who is writing: the run id, user and host recorded in every completion marker."""

from __future__ import annotations

import datetime
import getpass
import os
import secrets
import socket

from . import contract

#: Environment variable that carries the run id to the pipeline (set by the runner shim).
RUN_ID_ENV = contract.ENV_RUN_ID
#: Upper bound set by the marker table's ``RunId STRING(64)`` column.
RUN_ID_MAX_LENGTH = 64


def new_run_id() -> str:
    """A time-sortable, unique id such as ``20261125T180900Z-1a2b3c4d``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def run_id() -> str:
    """The current run id: the one the runner exported, else one made for this process tree.

    Stored back into the environment so that task processes forked by Luigi workers
    (``--workers N``) record the same run id as their parent.
    """
    value = os.environ.get(RUN_ID_ENV) or new_run_id()
    os.environ[RUN_ID_ENV] = value
    return value[:RUN_ID_MAX_LENGTH]


def run_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers with arbitrary uids)
        return f"uid:{os.getuid()}"


def run_host() -> str:
    return socket.gethostname()


# Fix the id at import so a process tree without the runner still shares one id.
run_id()
