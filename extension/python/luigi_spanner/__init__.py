"""luigi_spanner: Luigi tasks whose rows and completion markers commit together in Cloud Spanner.

Typical use::

    import luigi
    from luigi_spanner import Mutation, SpannerTask

    class LoadOrders(SpannerTask):
        batch = luigi.Parameter()
        target_table = "Orders"

        def mutations(self):
            yield Mutation.insert("Orders", ["OrderId", "Amount"], rows_of(self.batch))

Connection settings come from SPANNER_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT,
SPANNER_INSTANCE and SPANNER_DATABASE, or the ``[spanner]`` section of luigi.cfg
(see :mod:`luigi_spanner.settings`).

The names below load on first use: ``python -m luigi_spanner.runner`` imports this package
before it knows whether the pipeline needs the Spanner client, which alone costs 0.5 s.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Light (standard library only) and imported now: it fixes the run id for this process tree
# before Luigi forks task processes.
from .audit import RUN_ID_ENV, run_id

__version__ = "0.1.0"

# Public name -> the submodule that defines it.
_LAZY = {
    "ConfigurationError": "errors",
    "LuigiSpannerError": "errors",
    "MarkerTableMissing": "errors",
    "MigrationError": "errors",
    "Migration": "migrations",
    "create_database": "migrations",
    "ddl_statements": "migrations",
    "read_migrations": "migrations",
    "split_statements": "migrations",
    "DEFAULT_MARKER_TABLE": "settings",
    "SpannerSettings": "settings",
    "client": "settings",
    "connect": "settings",
    "prepare_emulator_environment": "settings",
    "MARKER_COLUMNS": "target",
    "MarkerRecord": "target",
    "SpannerMarkerTarget": "target",
    "marker_table_ddl": "target",
    "Mutation": "task",
    "SpannerTask": "task",
    "transaction_tag": "task",
}

__all__ = sorted([*_LAZY, "RUN_ID_ENV", "run_id", "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if TYPE_CHECKING:  # what type checkers and editors see: the same names, eagerly
    from .errors import ConfigurationError, LuigiSpannerError, MarkerTableMissing, MigrationError
    from .migrations import Migration, create_database, ddl_statements, read_migrations, split_statements
    from .settings import DEFAULT_MARKER_TABLE, SpannerSettings, client, connect, prepare_emulator_environment
    from .target import MARKER_COLUMNS, MarkerRecord, SpannerMarkerTarget, marker_table_ddl
    from .task import Mutation, SpannerTask, transaction_tag
