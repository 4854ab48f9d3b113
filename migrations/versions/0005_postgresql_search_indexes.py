"""PostgreSQL's own search indexes: trigram tambon, covering map cells and districts (SQLite: nothing)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Measured at 1,000,000 lots before adding (bench/search_pg_indexes.py, docs/benchmarks.md):
- tambon text (`lower(tambon) LIKE '%…%'`, the only substring match search makes in the database):
  a whole-country tambon search read the table (1.1 s p50); a pg_trgm GIN index answers it in
  74 ms. Added only where the server offers pg_trgm: without it search is slower, not wrong.
- the map-cell index (0002) is covering on SQLite, whose lot id is the rowid; PostgreSQL had to
  visit the table for each row's id. With the id in it, index-only scans: the 1 km prefilter went
  from 24 to 15 ms p50. GiST (19 ms) and SP-GiST (15 ms) on point(lon, lat) were no better, so the
  query keeps its cells and no spatial index is added (no PostGIS here).
- the district index: with the columns the location filters test included, a district's count is
  an index-only scan instead of a visit to every lot of the district (46 -> 33 ms p50).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CELL = "(CAST(lat * 100 AS INTEGER)), lon, lat, status, property_type, next_start_price, next_sale_date, area_sqm"
DISTRICT = "district_code, status, next_sale_date"
DISTRICT_INCLUDE = "province_code, property_type, next_start_price, area_sqm, office_id, encumbrance, occupancy"


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _has_trgm() -> bool:
    return bool(op.get_bind().exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first())


def upgrade() -> None:
    if not _pg():
        return
    op.execute("DROP INDEX ix_lot_cell")
    op.execute(f"CREATE INDEX ix_lot_cell ON lot ({CELL}, id)")
    op.execute("DROP INDEX ix_lot_district_status_date")
    op.execute(f"CREATE INDEX ix_lot_district_status_date ON lot ({DISTRICT}, id) INCLUDE ({DISTRICT_INCLUDE})")
    if _has_trgm():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_lot_tambon_trgm ON lot USING gin (lower(tambon) gin_trgm_ops)")
    op.execute("ANALYZE lot")


def downgrade() -> None:
    if not _pg():
        return
    op.execute("DROP INDEX IF EXISTS ix_lot_tambon_trgm")
    op.execute("DROP INDEX ix_lot_district_status_date")
    op.execute(f"CREATE INDEX ix_lot_district_status_date ON lot ({DISTRICT})")
    op.execute("DROP INDEX ix_lot_cell")
    op.execute(f"CREATE INDEX ix_lot_cell ON lot ({CELL})")
