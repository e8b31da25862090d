"""Applies the Alembic migrations in ``migrations/`` to the configured database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.settings import PROJECT_ROOT, get_settings


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url or get_settings().database_url)
    return config


def upgrade(database_url: str | None = None) -> None:
    """Bring the database to the newest schema (every feature branch's head)."""
    command.upgrade(alembic_config(database_url), "heads")
