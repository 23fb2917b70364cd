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
"""

from .audit import RUN_ID_ENV, run_id
from .errors import ConfigurationError, LuigiSpannerError, MarkerTableMissing, MigrationError
from .migrations import Migration, create_database, ddl_statements, read_migrations, split_statements
from .settings import DEFAULT_MARKER_TABLE, SpannerSettings, client, connect, prepare_emulator_environment
from .target import MARKER_COLUMNS, MarkerRecord, SpannerMarkerTarget, marker_table_ddl
from .task import Mutation, SpannerTask, transaction_tag

__all__ = [
    "ConfigurationError",
    "DEFAULT_MARKER_TABLE",
    "LuigiSpannerError",
    "MARKER_COLUMNS",
    "MarkerRecord",
    "MarkerTableMissing",
    "Migration",
    "MigrationError",
    "Mutation",
    "RUN_ID_ENV",
    "SpannerMarkerTarget",
    "SpannerSettings",
    "SpannerTask",
    "client",
    "connect",
    "create_database",
    "ddl_statements",
    "marker_table_ddl",
    "prepare_emulator_environment",
    "read_migrations",
    "run_id",
    "split_statements",
    "transaction_tag",
]
