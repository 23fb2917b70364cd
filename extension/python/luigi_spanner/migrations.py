"""Versioned schema: a folder of ``NNNN_description.sql`` files of GoogleSQL DDL.

Each file holds statements separated by ``;``; ``--``, ``#`` and ``/* */``
comments are allowed. Files apply in version order. The completion-marker
table belongs in a migration too (see :func:`luigi_spanner.marker_table_ddl`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import sqlparse
from google.cloud.spanner_v1.database import Database
from google.cloud.spanner_v1.instance import Instance

from .errors import MigrationError

MIGRATION_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[A-Za-z0-9_\-]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    statements: tuple[str, ...]


def split_statements(sql: str) -> list[str]:
    """Split DDL text into statements without comments or trailing semicolons.

    sqlparse (a dependency of google-cloud-spanner) is used because a ``;`` inside
    a string literal or a comment must not end a statement.
    """
    statements = []
    for raw in sqlparse.split(sql):
        text = sqlparse.format(raw, strip_comments=True).strip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        if text:
            statements.append(text)
    return statements


def read_migrations(directory: Union[str, Path]) -> list[Migration]:
    """The migrations in ``directory``, in version order; rejects misnamed or duplicate files."""
    folder = Path(directory)
    if not folder.is_dir():
        raise MigrationError(
            f"Migrations folder {folder} does not exist.",
            "Create it with files named like 0001_create_orders.sql.",
        )
    migrations: list[Migration] = []
    seen: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise MigrationError(
                f"Migration file {path.name} is not named NNNN_description.sql.",
                "Rename it with a four-digit version prefix, e.g. 0003_add_revenue.sql.",
            )
        version = int(match.group("version"))
        if version in seen:
            raise MigrationError(
                f"Migrations {seen[version].name} and {path.name} share version {version:04d}.",
                "Give each migration its own version number.",
            )
        seen[version] = path
        statements = tuple(split_statements(path.read_text(encoding="utf-8")))
        if not statements:
            raise MigrationError(f"Migration {path.name} holds no statement.", "Add DDL or delete the file.")
        migrations.append(Migration(version, match.group("name"), path, statements))
    migrations.sort(key=lambda m: m.version)
    return migrations


def ddl_statements(directory: Union[str, Path]) -> list[str]:
    """All statements of all migrations in ``directory``, in order."""
    return [statement for migration in read_migrations(directory) for statement in migration.statements]


def create_database(
    instance: Instance, database_id: str, migrations_dir: Union[str, Path], timeout: float = 120
) -> Database:
    """Create ``database_id`` on ``instance`` with every migration applied (one schema operation)."""
    database = instance.database(database_id, ddl_statements=ddl_statements(migrations_dir))
    database.create().result(timeout)
    return database
