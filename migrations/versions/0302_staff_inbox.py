"""Staff requests inbox (issue 13): request handling and status history, booking outcomes.

The next step of the staff branch (it adds a column to ``conversation_summaries``); it also
needs the bookings branch, whose tables it indexes for the inbox. Written by hand; it must match
``bot/staff/models.py``.

The summaries are re-read from the events (the sync watermark is reset), so existing
conversations get the new columns and the plain-words first question.

Revision ID: 0302_staff_inbox
Revises: 0301_staff
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0302_staff_inbox"
down_revision = "0301_staff"
branch_labels = None
depends_on = ("0101_bookings",)


def upgrade() -> None:
    op.create_table(
        "request_handling",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("request_id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("closed_reason", sa.String(32)),
        sa.Column("handled_by", sa.String(255)),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "request_status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("from_status", sa.String(32), nullable=False),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("changed_by", sa.String(255), nullable=False),
        sa.Column("changed_at", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_request_status_changes_request", "request_status_changes", ["kind", "request_id"]
    )
    with op.batch_alter_table("conversation_summaries") as batch:
        batch.add_column(sa.Column("booking_failed_keys", sa.Text))
    for table in ("booking_requests", "handoff_requests"):
        op.create_index(f"ix_{table}_status_created", table, ["status", "created_at"])
        op.create_index(f"ix_{table}_created", table, ["created_at"])
    op.execute("DELETE FROM staff_sync_state")  # re-read every conversation's events


def downgrade() -> None:
    for table in ("booking_requests", "handoff_requests"):
        op.drop_index(f"ix_{table}_created", table_name=table)
        op.drop_index(f"ix_{table}_status_created", table_name=table)
    with op.batch_alter_table("conversation_summaries") as batch:
        batch.drop_column("booking_failed_keys")
    op.drop_index("ix_request_status_changes_request", table_name="request_status_changes")
    op.drop_table("request_status_changes")
    op.drop_table("request_handling")
