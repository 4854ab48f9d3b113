"""public_result: the public record of decided rounds, written when a sale day is published

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_result",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("sale_date", sa.Date(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("red_key", sa.String(length=40), nullable=False),
        sa.Column("sale_order", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("property_type", sa.String(length=3), nullable=False),
        sa.Column("appraisal", sa.BigInteger(), nullable=False),
        sa.Column("start_price", sa.BigInteger(), nullable=False),
        sa.Column("sold_price", sa.BigInteger(), nullable=True),
        sa.Column("bidder_count", sa.Integer(), nullable=True),
        sa.Column("winner_bidder_no", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["sale_round.id"], name=op.f("fk_public_result_round_id_sale_round")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_public_result_lot_id_lot")),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_public_result_office_id_office")),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_public_result")),
    )
    with op.batch_alter_table("public_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_public_result_listing",
            [sa.text("sale_date DESC"), "office_id", "red_key", "sale_order", "round_id"],
            unique=False,
        )
        batch_op.create_index("ix_public_result_office_date", ["office_id", "sale_date"], unique=False)
        batch_op.create_index("ix_public_result_province_type", ["province_code", "property_type"], unique=False)
        batch_op.create_index("ix_public_result_fy", ["fiscal_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_public_result_red_key"), ["red_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_public_result_lot_id"), ["lot_id"], unique=False)
    # Days published before this table existed become public records now.
    if op.get_bind().dialect.name == "postgresql":
        year, month = "CAST(EXTRACT(year FROM r.sale_date) AS INTEGER)", "CAST(EXTRACT(month FROM r.sale_date) AS INTEGER)"
    else:
        year, month = "CAST(strftime('%Y', r.sale_date) AS INTEGER)", "CAST(strftime('%m', r.sale_date) AS INTEGER)"
    op.execute(
        f"""
        INSERT INTO public_result (round_id, lot_id, office_id, sale_date, fiscal_year, round_no, status,
            reason_code, red_key, sale_order, province_code, property_type, appraisal, start_price,
            sold_price, bidder_count, winner_bidder_no, published_at)
        SELECT r.id, r.lot_id, r.office_id, r.sale_date,
            {year} + 543 + CASE WHEN {month} >= 10 THEN 1 ELSE 0 END,
            r.round_no, r.status, r.reason_code, c.red_key, l.sale_order, l.province_code, l.property_type,
            l.base_price, r.start_price, r.sold_price, r.bidder_count, r.winner_bidder_no, d.published_at
        FROM sale_round r
        JOIN lot l ON l.id = r.lot_id
        JOIN "case" c ON c.id = l.case_id
        JOIN sale_day d ON d.office_id = r.office_id AND d.sale_date = r.sale_date AND d.status = 'published'
        WHERE r.status IN ('sold', 'no_bidder', 'suspended', 'withdrawn')
        """
    )


def downgrade() -> None:
    op.drop_table("public_result")
