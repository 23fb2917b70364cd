"""Versioned schema: a folder of ``<version>_<description>.sql`` files of GoogleSQL DDL.

Each file holds statements separated by ``;``; ``--``, ``#`` and ``/* */``
comments are allowed. Files apply in numeric version order. The file-name rule is the
contract's (``contract.MIGRATION_FILE``), the same the emulator tooling applies. The completion-marker
table belongs in a migration too (see :func:`luigi_spanner.marker_table_ddl`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import sqlparse
from google.cloud.spanner_v1.database import Database
from google.cloud.spanner_v1.instance import Instance

from . import contract
from .errors import MigrationError

MIGRATION_FILE = contract.MIGRATION_FILE


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
            f"Create it with files named like {contract.MIGRATION_FILE_EXAMPLE}.",
        )
    migrations: list[Migration] = []
    seen: dict[int, Path] = {}
    for path in sorted(folder.iterdir()):
        if not path.name.lower().endswith(".sql"):
            continue
        match = MIGRATION_FILE.fullmatch(path.name)
        if match is None:
            raise MigrationError(
                f"Migration file {path.name} is not named <version>_<description>.sql.",
                "Rename it: digits, then _ or -, then letters, digits, _ or -, "
                f"e.g. {contract.MIGRATION_FILE_EXAMPLE}; versions apply in numeric order.",
            )
        version = int(match.group(1))
        if version in seen:
            raise MigrationError(
                f"Migrations {seen[version].name} and {path.name} share version {version}.",
                "Give each migration its own version number.",
            )
        seen[version] = path
        statements = tuple(split_statements(path.read_text(encoding="utf-8")))
        if not statements:
            raise MigrationError(f"Migration {path.name} holds no statement.", "Add DDL or delete the file.")
        migrations.append(Migration(version, match.group(2), path, statements))
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
