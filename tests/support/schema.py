"""Whether the migrated database matches the models: Alembic's autogenerate comparison."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db import Base, models  # noqa: F401 - models registers every table


def schema_differences(engine: sa.engine.Engine, tables: Iterable[str]) -> list:
    """What ``alembic revision --autogenerate`` would change in ``tables`` (types included);
    an empty list when the migrations and the models agree. Other tables are not compared."""
    names = set(tables)
    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name in names:
            table.to_metadata(metadata)
    assert {table.name for table in metadata.sorted_tables} == names, "unknown table name"

    def only_these(name, type_, parent_names) -> bool:
        return name in names if type_ == "table" else True

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": only_these}
        )
        return compare_metadata(context, metadata)
