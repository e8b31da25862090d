"""Baseline: the empty schema every feature's migrations branch from.

Each feature (bookings, SMS, staff review) keeps its tables on its own Alembic branch whose first
revision revises this one, and ``upgrade heads`` applies them all.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-25
"""

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
