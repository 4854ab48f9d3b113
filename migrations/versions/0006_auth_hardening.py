"""auth hardening: session versions and idle expiry, mailed one-time tokens, log-in throttling

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Why (issues 18 and 19): "log out everywhere" and a password change must end other sessions
(user_account.session_version, checked against user_session.version on each request); idle
sessions expire (user_session.last_seen_at); password reset and e-mail verification links are
stored hashed (auth_token); failed log-ins are throttled per account and per client address
across every process (login_throttle).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_table(
        "auth_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_auth_token_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_token")),
    )
    op.create_index(op.f("ix_auth_token_user_id"), "auth_token", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_auth_token_user_id"), table_name="auth_token")
    op.drop_table("auth_token")
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("version")
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("email_verified_at")
        batch.drop_column("session_version")
