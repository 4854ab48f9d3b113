"""search indexes: rows by map cell (covering), by province/district in date order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Why: a bounding box on (lat, lon) can seek only the latitude band, which crosses the whole
country; on 100,000 lots a 1 km box read thousands of table rows. Bucketing latitude into 0.01°
cells (~1.1 km) lets each cell seek its longitude range, and carrying the columns the search filters
and sorts on makes the index covering, so no table row is read until the page is chosen. The same
expression index works on SQLite and PostgreSQL (CAST truncates on one and rounds on the other;
search.queries asks for one extra cell to cover both).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CELL = "CAST(lat * 100 AS INTEGER)"


def upgrade() -> None:
    op.create_index(
        "ix_lot_cell",
        "lot",
        [sa.text(CELL), "lon", "lat", "status", "property_type", "next_start_price", "next_sale_date", "area_sqm"],
    )
    op.create_index("ix_lot_province_status_date", "lot", ["province_code", "status", "next_sale_date"])
    op.create_index("ix_lot_district_status_date", "lot", ["district_code", "status", "next_sale_date"])


def downgrade() -> None:
    op.drop_index("ix_lot_district_status_date", table_name="lot")
    op.drop_index("ix_lot_province_status_date", table_name="lot")
    op.drop_index("ix_lot_cell", table_name="lot")
