"""Staff review: accounts, sessions, audit log, reviews, intent corrections, conversation summaries.

Revision ID: 0301_staff
Revises: 0001_baseline
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0301_staff"
down_revision = "0001_baseline"
branch_labels = ("staff",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_login_at", sa.Float),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("user_email", sa.String(255)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "conversation_summaries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("input_channel", sa.String(64)),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("first_question", sa.Text),
        sa.Column("turns", sa.Integer, nullable=False, server_default="0"),
        sa.Column("topics", sa.Text),
        sa.Column("has_fallback", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("has_emergency", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("has_booking", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("has_person", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("min_confidence", sa.Float),
        sa.Column("search_text", sa.Text),
        sa.Column("event_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_event_id", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_conv_summ_started", "conversation_summaries", ["started_at"])
    for column in ("channel", "has_emergency", "has_fallback", "has_booking", "has_person"):
        name = (
            "ix_conv_summ_channel_started"
            if column == "channel"
            else (f"ix_conv_summ_{column.removeprefix('has_')}_started")
        )
        op.create_index(name, "conversation_summaries", [column, "started_at"])
    op.create_table(
        "conversation_reviews",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reviewed_by", sa.String(255)),
        sa.Column("reviewed_at", sa.Float),
        sa.Column("notes", sa.Text),
        sa.Column("tags", sa.String(255)),
        sa.Column("updated_at", sa.Float),
    )
    op.create_index("ix_conversation_reviews_reviewed", "conversation_reviews", ["reviewed"])
    op.create_table(
        "intent_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False, unique=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("original_intent", sa.String(255)),
        sa.Column("corrected_intent", sa.String(255), nullable=False),
        sa.Column("corrected_by", sa.String(255)),
        sa.Column("corrected_at", sa.Float, nullable=False),
    )
    op.create_index("ix_intent_corrections_sender_id", "intent_corrections", ["sender_id"])
    op.create_table(
        "staff_sync_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.Float),
    )


def downgrade() -> None:
    for table in (
        "staff_sync_state",
        "intent_corrections",
        "conversation_reviews",
        "conversation_summaries",
        "audit_log",
        "staff_sessions",
        "staff_users",
    ):
        op.drop_table(table)
