"""ORM classes. Money is whole baht (int). Times are aware UTC. Relationships never lazy-load
(lazy="raise"): a query says what it needs, so async code never trips over an implicit load."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auction.db import Base, UTCDateTime, utcnow

# --- reference data (loaded from auction/data/*.csv; never truncated by tests) ---------------


class AdminArea(Base):
    """Province (2-digit DOPA code) or district/khet (4-digit)."""

    __tablename__ = "admin_area"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))  # province | district
    parent_code: Mapped[str | None] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class TransitStation(Base):
    """One row per station per line (interchanges appear on each line)."""

    __tablename__ = "transit_station"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[str] = mapped_column(String(12), index=True)
    line_name_th: Mapped[str] = mapped_column(String(120))
    line_name_en: Mapped[str] = mapped_column(String(120))
    line_color: Mapped[str] = mapped_column(String(7))
    code: Mapped[str] = mapped_column(String(8))
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    seq: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("line_id", "code"),)


class Office(Base):
    """An LED office (สำนักงานบังคับคดี) that holds sales."""

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2), index=True)


class Court(Base):
    __tablename__ = "court"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2))


# --- cases, lots, schedule ------------------------------------------------------------------


class Case(Base):
    __tablename__ = "case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("court.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    # Red case number, normalised once on the way in (auction.casenum).
    red_prefix: Mapped[str] = mapped_column(String(10))
    red_efiled: Mapped[bool] = mapped_column(Boolean, default=False)
    red_number: Mapped[int] = mapped_column(Integer)
    red_year: Mapped[int] = mapped_column(Integer)  # Buddhist era
    red_key: Mapped[str] = mapped_column(String(40), index=True)  # canonical "ผบ.1234/2563"
    black_number: Mapped[str | None] = mapped_column(String(40))
    # Personal data: officers only; public views show initials (auction.privacy).
    plaintiff: Mapped[str] = mapped_column(String(300))
    defendant: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    court: Mapped[Court] = relationship(lazy="raise")
    office: Mapped[Office] = relationship(lazy="raise")
    lots: Mapped[list[Lot]] = relationship(back_populates="case", lazy="raise", order_by="Lot.id")
    __table_args__ = (
        UniqueConstraint("court_id", "red_key"),
        Index("ix_case_number_year", "red_number", "red_year"),
    )


class Lot(Base):
    """One property offered in a case (ลำดับที่การขาย)."""

    __tablename__ = "lot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    sale_order: Mapped[str] = mapped_column(String(20))  # "13-1"
    property_type: Mapped[str] = mapped_column(String(3), index=True)  # LED code "001".."017"
    deed_type: Mapped[str | None] = mapped_column(String(60))
    deed_numbers: Mapped[str | None] = mapped_column(String(200))
    condo_name: Mapped[str | None] = mapped_column(String(200))
    unit_number: Mapped[str | None] = mapped_column(String(40))
    floor: Mapped[str | None] = mapped_column(String(20))
    # Land in rai-ngan-wah; condos in m². area_sqm is always filled (for filtering).
    area_rai: Mapped[int | None] = mapped_column(Integer)
    area_ngan: Mapped[int | None] = mapped_column(Integer)
    area_wah: Mapped[float | None] = mapped_column(Float)
    area_sqm: Mapped[float] = mapped_column(Float, index=True)
    address: Mapped[str | None] = mapped_column(Text)
    tambon: Mapped[str | None] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(String(4), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[str] = mapped_column(String(12), default="district")  # exact|subdistrict|district
    appraisal_executing: Mapped[int | None] = mapped_column(BigInteger)
    appraisal_officer: Mapped[int | None] = mapped_column(BigInteger)
    appraisal_committee: Mapped[int | None] = mapped_column(BigInteger)
    appraisal_expert: Mapped[int | None] = mapped_column(BigInteger)
    base_price: Mapped[int] = mapped_column(BigInteger)
    base_price_source: Mapped[str] = mapped_column(String(12))  # committee|officer|executing
    encumbrance: Mapped[str] = mapped_column(String(12), default="free")  # free|mortgage
    mortgagee: Mapped[str | None] = mapped_column(String(200))
    mortgage_amount: Mapped[int | None] = mapped_column(BigInteger)
    occupancy: Mapped[str] = mapped_column(String(10), default="unknown")  # owner|tenant|unknown
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    # on_sale | sold | withdrawn | ended (rounds exhausted)
    status: Mapped[str] = mapped_column(String(12), default="on_sale", index=True)
    # Denormalised for search: the next pending round's date, number and starting price.
    next_round_no: Mapped[int | None] = mapped_column(Integer)
    next_sale_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    next_start_price: Mapped[int | None] = mapped_column(BigInteger, index=True)
    deposit: Mapped[int] = mapped_column(BigInteger)
    deposit_setoff: Mapped[int] = mapped_column(BigInteger)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)

    case: Mapped[Case] = relationship(back_populates="lots", lazy="raise")
    rounds: Mapped[list[SaleRound]] = relationship(
        back_populates="lot", lazy="raise", order_by="SaleRound.round_no"
    )
    __table_args__ = (
        UniqueConstraint("case_id", "sale_order"),
        Index("ix_lot_lat_lon", "lat", "lon"),
        Index("ix_lot_type_price", "property_type", "next_start_price"),
        # Search (migration 0002): map cells of 0.01° latitude, covering what the search filters on.
        # On PostgreSQL (0005) it also carries the id (SQLite's rowid is in every index), the
        # district index includes the location filters' columns, and lower(tambon) has a trigram index.
        Index(
            "ix_lot_cell",
            text("CAST(lat * 100 AS INTEGER)"),
            "lon",
            "lat",
            "status",
            "property_type",
            "next_start_price",
            "next_sale_date",
            "area_sqm",
        ),  # fmt: skip
        Index("ix_lot_province_status_date", "province_code", "status", "next_sale_date"),
        Index("ix_lot_district_status_date", "district_code", "status", "next_sale_date"),
    )


class LotStation(Base):
    """A lot's nearest station of one rail line, within reach, measured when the lot was written
    (auction.nearby; migration 0004). status, property_type and next_start_price are copies of the
    lot's, kept equal by database triggers, so a whole-line search reads this table's index alone."""

    __tablename__ = "lot_station"
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("transit_station.id"))
    distance_m: Mapped[float] = mapped_column(Float)  # geodesic, station to lot
    walk_min: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    property_type: Mapped[str] = mapped_column(String(3))
    next_start_price: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        # "Line L within R metres, on sale": one range, in distance order, holding what the
        # search filters, sorts and counts on.
        Index(
            "ix_lot_station_line",
            "line_id",
            "status",
            "distance_m",
            "property_type",
            "next_start_price",
            "station_id",
            "lot_id",
        ),  # fmt: skip
    )


ROUND_STATUSES = ("scheduled", "sold", "no_bidder", "suspended", "withdrawn", "cancelled")
LIVE_STATES = ("idle", "open", "hammered", "passed", "suspended")


class SaleRound(Base):
    """One scheduled sale date (นัด) of a lot, with its price and, while live, the bidding state.

    The live columns are the authority for the e-Offering room: the bid path updates them under
    a version check (optimistic lock) in the same transaction that appends the bid and the event.
    """

    __tablename__ = "sale_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    round_no: Mapped[int] = mapped_column(Integer)
    sale_date: Mapped[dt.date] = mapped_column(Date, index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str | None] = mapped_column(Text)
    start_price: Mapped[int] = mapped_column(BigInteger)
    # Live bidding state (e-Offering).
    live_state: Mapped[str] = mapped_column(String(12), default="idle")
    increment: Mapped[int | None] = mapped_column(BigInteger)
    current_price: Mapped[int | None] = mapped_column(BigInteger)
    current_bid_id: Mapped[int | None] = mapped_column(Integer)
    current_bidder_no: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)  # the officer's 1-2-3
    version: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Outcome.
    sold_price: Mapped[int | None] = mapped_column(BigInteger)
    winner_registration_id: Mapped[int | None] = mapped_column(Integer)
    winner_bidder_no: Mapped[int | None] = mapped_column(Integer)
    bidder_count: Mapped[int | None] = mapped_column(Integer)

    lot: Mapped[Lot] = relationship(back_populates="rounds", lazy="raise")
    __table_args__ = (
        UniqueConstraint("lot_id", "round_no"),
        Index("ix_round_office_date", "office_id", "sale_date"),
    )


# --- people ---------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10), default="buyer")  # buyer|officer|admin
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))  # officers
    display_name: Mapped[str] = mapped_column(String(200), default="")
    is_led_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    barred_until: Mapped[dt.date | None] = mapped_column(Date)
    barred_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by "log out everywhere", a password change or reset: a session of an older version is dead.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """Server-side sessions: a random token in the cookie, its SHA-256 here (survives restarts)."""

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Idle expiry (Settings.session_idle_minutes); refreshed at most once a minute, not per request.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class AuthToken(Base):
    """A mailed one-time link (password reset, e-mail verification): only its SHA-256 is stored."""

    __tablename__ = "auth_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # reset|verify
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed log-ins per account ("acct:<email>") and per client address ("addr:<ip>"), shared by
    every process through the database so that more workers do not mean more guesses."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class BuyerProfile(Base):
    __tablename__ = "buyer_profile"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # individual|company
    full_name: Mapped[str] = mapped_column(String(300))
    thai_id: Mapped[str | None] = mapped_column(String(13), unique=True)
    passport_no: Mapped[str | None] = mapped_column(String(20))
    juristic_no: Mapped[str | None] = mapped_column(String(13))
    affidavit_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str] = mapped_column(String(4))
    tambon: Mapped[str] = mapped_column(String(100))
    bank_name: Mapped[str] = mapped_column(String(100))
    bank_account_no: Mapped[str] = mapped_column(String(20))
    bank_account_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BidderNumber(Base):
    """A paddle: one number per person per sale day and office, shared by their lots that day."""

    __tablename__ = "bidder_number"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    sale_date: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    walk_in_name: Mapped[str | None] = mapped_column(String(300))  # floor bidder without an account
    __table_args__ = (
        UniqueConstraint("office_id", "sale_date", "number"),
        UniqueConstraint("office_id", "sale_date", "user_id"),
    )


REGISTRATION_STATUSES = (
    "pending_deposit",  # waiting for the officer to confirm the deposit
    "confirmed",  # deposit confirmed, bidder number issued: may bid
    "rejected",
    "cancelled",  # withdrawn by the buyer before the round opened
    "released",  # lot closed, not the winner: deposit to refund
    "refunded",  # refund paid out
    "applied",  # winner: deposit applied to the price
    "forfeited",  # winner defaulted on the balance
)


class Registration(Base):
    """A pre-registration of a buyer (or a walk-in entered by an officer) for one lot's round."""

    __tablename__ = "registration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("sale_round.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8), default="remote")  # remote|floor
    setoff: Mapped[bool] = mapped_column(Boolean, default=False)  # reduced deposit class
    proxy_principal_name: Mapped[str | None] = mapped_column(String(300))
    proxy_principal_id: Mapped[str | None] = mapped_column(String(20))
    deposit_due: Mapped[int] = mapped_column(BigInteger)
    deposit_method: Mapped[str | None] = mapped_column(String(20))  # cash|cheque|card|transfer
    deposit_reference: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending_deposit", index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    bidder_number_id: Mapped[int | None] = mapped_column(ForeignKey("bidder_number.id"))
    bidder_no: Mapped[int | None] = mapped_column(Integer)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        # One live registration per person per round; cancelled/rejected ones may be redone,
        # which the service enforces (partial unique indexes differ between back ends).
        Index("ix_registration_round_bidder", "round_id", "bidder_no"),
    )


class Sale(Base):
    """A hammered lot awaiting (or done with) the winner's balance."""

    __tablename__ = "sale"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("sale_round.id"), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"))
    price: Mapped[int] = mapped_column(BigInteger)
    deposit_applied: Mapped[int] = mapped_column(BigInteger)
    balance_due_date: Mapped[dt.date] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="awaiting")  # awaiting|paid|defaulted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLog(Base):
    """Every state change: who, when, what, from what to what. Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


# --- the e-Offering room --------------------------------------------------------------------


class Room(Base):
    """The live room of one office on one sale day."""

    __tablename__ = "room"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    sale_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")  # scheduled|open|closed
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # conducting
    current_round_id: Mapped[int | None] = mapped_column(ForeignKey("sale_round.id"))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    __table_args__ = (UniqueConstraint("office_id", "sale_date"),)


class RoomEvent(Base):
    """Append-only, hash-chained log of everything that happened in a room."""

    __tablename__ = "room_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(24))
    round_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("room_id", "seq"),)


class Bid(Base):
    __tablename__ = "bid"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("sale_round.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"))
    bidder_no: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(8))  # remote|floor
    idem_key: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undo_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("round_id", "registration_id", "idem_key"),)


# --- results --------------------------------------------------------------------------------


class SaleDay(Base):
    """Closing and publishing an office's sale day: prepared by one officer, approved by another."""

    __tablename__ = "sale_day"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    sale_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|submitted|published
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("office_id", "sale_date"),)


class PublicResult(Base):
    """The public record of one decided round, written when its sale day is published (the second
    officer's approval; auction.public_record). Narrow and indexed for the public queries, so
    results and statistics read this table alone instead of joining every round to its lot, case
    and sale day (600,000 rounds at 100,000 lots). What the hammer fixed is copied; what may still
    change (the winner's payment: Sale.status) is read live."""

    __tablename__ = "public_result"
    round_id: Mapped[int] = mapped_column(ForeignKey("sale_round.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    sale_date: Mapped[dt.date] = mapped_column(Date)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # BE, October-September
    round_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # sold|no_bidder|suspended|withdrawn
    reason_code: Mapped[str | None] = mapped_column(String(40))
    red_key: Mapped[str] = mapped_column(String(40), index=True)
    sale_order: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(String(2))
    property_type: Mapped[str] = mapped_column(String(3))
    appraisal: Mapped[int] = mapped_column(BigInteger)  # the lot's base price
    start_price: Mapped[int] = mapped_column(BigInteger)
    sold_price: Mapped[int | None] = mapped_column(BigInteger)
    bidder_count: Mapped[int | None] = mapped_column(Integer)
    winner_bidder_no: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        # The listing's order (newest day first), so a page is a walk down one index.
        Index("ix_public_result_listing", sale_date.desc(), "office_id", "red_key", "sale_order", "round_id"),
        Index("ix_public_result_office_date", "office_id", "sale_date"),
        Index("ix_public_result_province_type", "province_code", "property_type"),
        Index("ix_public_result_fy", "fiscal_year"),
    )


class Rating(Base):
    __tablename__ = "rating"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    service: Mapped[str] = mapped_column(String(20))  # registration|sale
    subject_id: Mapped[int] = mapped_column(Integer)  # registration id
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("user_id", "service", "subject_id"),)


REFERENCE_TABLES = ("admin_area", "transit_station", "office", "court")

# Registers the hook that keeps lot_station in step with Lot rows written through the ORM; here so
# that whatever can write a Lot has it (auction.nearby imports the classes above).
from auction import nearby  # noqa: E402, F401
