"""Connection settings and the shared client.

Settings come from the environment first, then from the ``[spanner]`` section of
Luigi's configuration (``luigi.cfg``), so a pipeline written against the local
emulator runs against real Cloud Spanner unchanged:

==========================  ======================  ====================================
Environment                 ``[spanner]`` option    Meaning
==========================  ======================  ====================================
GOOGLE_CLOUD_PROJECT        ``project``             Google Cloud project id
SPANNER_INSTANCE            ``instance``            Spanner instance id
SPANNER_DATABASE            ``database``            Spanner database id
SPANNER_EMULATOR_HOST       ``emulator_host``       ``host:port`` of an emulator (unset:
                                                    Cloud Spanner)
LUIGI_SPANNER_MARKER_TABLE  ``marker_table``        completion-marker table
                                                    (``LuigiTaskMarkers``)
==========================  ======================  ====================================

The names are the contract's (:mod:`luigi_spanner.contract`, generated from
extension/shared/contract.json), which the editor and the CLI set too.

The environment wins so that a tool (the extension, the CLI, CI) can point a
pipeline at a throw-away emulator database even when ``luigi.cfg`` names a
production one.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Mapping, Optional

import luigi.configuration
from google.cloud import spanner
from google.cloud.spanner_v1.database import Database

from . import contract
from .errors import ConfigurationError

DEFAULT_MARKER_TABLE = contract.MARKER_TABLE
CONFIG_SECTION = contract.MARKER_TABLE_CONFIG_SECTION

# The emulator (1.5.28 here) has no multiplexed sessions, which the client uses by default.
_MULTIPLEXED_SESSION_SWITCHES = contract.ENV_MULTIPLEXED_SESSION_SWITCHES
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
_HOST_PORT = re.compile(r"^[^:/\s]+:\d{1,5}$")


@dataclass(frozen=True)
class SpannerSettings:
    """Where the pipeline's data and completion markers live."""

    project: str
    instance: str
    database: str
    emulator_host: Optional[str] = None
    marker_table: str = DEFAULT_MARKER_TABLE

    @classmethod
    def resolve(cls, env: Optional[Mapping[str, str]] = None) -> "SpannerSettings":
        """Read settings from ``env`` (default ``os.environ``) and Luigi's ``[spanner]`` section."""
        env = os.environ if env is None else env
        config = luigi.configuration.get_config()

        def pick(env_name: Optional[str], option: str) -> Optional[str]:
            value = env.get(env_name) if env_name else None
            if not value:
                value = config.get(CONFIG_SECTION, option, None)
            return value.strip() if isinstance(value, str) and value.strip() else None

        def required(env_name: str, option: str, what: str) -> str:
            value = pick(env_name, option)
            if value is None:
                raise ConfigurationError(
                    f"The Spanner {what} is not configured.",
                    f"Set {env_name}, or add `{option} = ...` under [{CONFIG_SECTION}] in luigi.cfg.",
                )
            return value

        emulator_host = pick(contract.ENV_EMULATOR_HOST, "emulator_host")
        if emulator_host is not None and not _HOST_PORT.match(emulator_host):
            raise ConfigurationError(
                f'{contract.ENV_EMULATOR_HOST} is "{emulator_host}", which is not host:port.',
                "Use the form 127.0.0.1:9010, without http:// or a path.",
            )
        marker_table = pick(contract.ENV_MARKER_TABLE, contract.MARKER_TABLE_CONFIG_OPTION) or DEFAULT_MARKER_TABLE
        if not _IDENTIFIER.match(marker_table):
            raise ConfigurationError(
                f'marker_table "{marker_table}" is not a valid Spanner table name.',
                "Use letters, digits and underscores, starting with a letter.",
            )
        return cls(
            project=required(contract.ENV_PROJECT, "project", "project"),
            instance=required(contract.ENV_INSTANCE, "instance", "instance"),
            database=required(contract.ENV_DATABASE, "database", "database"),
            emulator_host=emulator_host,
            marker_table=marker_table,
        )

    def describe(self) -> str:
        where = f"emulator {self.emulator_host}" if self.emulator_host else "Cloud Spanner"
        return f"projects/{self.project}/instances/{self.instance}/databases/{self.database} ({where})"


def prepare_emulator_environment(emulator_host: str) -> None:
    """Make the next client talk to the emulator: the client reads these variables when created."""
    os.environ.setdefault(contract.ENV_EMULATOR_HOST, emulator_host)
    for name in _MULTIPLEXED_SESSION_SWITCHES:
        os.environ.setdefault(name, "false")


_lock = threading.Lock()
# Keyed by pid: a gRPC channel must not cross a fork (Luigi forks a process per task with --workers > 1).
_clients: dict[tuple[int, str, Optional[str]], spanner.Client] = {}
_databases: dict[tuple[int, SpannerSettings], Database] = {}


def client(settings: Optional[SpannerSettings] = None) -> spanner.Client:
    """The process-wide Spanner client for these settings."""
    settings = settings or SpannerSettings.resolve()
    key = (os.getpid(), settings.project, settings.emulator_host)
    with _lock:
        found = _clients.get(key)
        if found is None:
            if settings.emulator_host:
                prepare_emulator_environment(settings.emulator_host)
            found = spanner.Client(project=settings.project)
            _clients[key] = found
        return found


def connect(settings: Optional[SpannerSettings] = None) -> Database:
    """The database handle for ``settings`` (resolved from the environment when omitted), reused per process."""
    settings = settings or SpannerSettings.resolve()
    key = (os.getpid(), settings)
    with _lock:
        found = _databases.get(key)
    if found is not None:
        return found
    database = client(settings).instance(settings.instance).database(settings.database)
    with _lock:
        return _databases.setdefault(key, database)
