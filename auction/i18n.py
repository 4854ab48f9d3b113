"""Thai first, with an English switch: ?lang=en (remembered in a cookie) or the cookie alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from auction import thai

LANGS = ("th", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "site_name": ("ขายทอดตลาดออนไลน์ กรมบังคับคดี", "LED Online Property Auctions"),
    "lots_on_sale": ("ทรัพย์ที่ประกาศขาย", "Property on sale"),
    "search": ("ค้นหา", "Search"),
    "results": ("ผลการขาย", "Results"),
    "room": ("ห้องประมูล", "Auction room"),
    "login": ("เข้าสู่ระบบ", "Log in"),
    "logout": ("ออกจากระบบ", "Log out"),
    "signup": ("สมัครสมาชิก", "Sign up"),
    "my_registrations": ("การลงทะเบียนของฉัน", "My registrations"),
    "next_sale": ("นัดถัดไป", "Next sale"),
    "round": ("นัดที่", "Round"),
    "start_price": ("ราคาเริ่มต้น", "Starting price"),
    "appraisal": ("ราคาประเมิน", "Appraisal"),
    "deposit": ("หลักประกัน", "Deposit"),
    "deposit_setoff": ("หลักประกัน (ผู้มีสิทธิใช้ส่วนแทน)", "Deposit (set-off entitled)"),
    "area": ("เนื้อที่", "Area"),
    "case": ("คดี", "Case"),
    "red_case": ("หมายเลขคดีแดง", "Red case no."),
    "black_case": ("หมายเลขคดีดำ", "Black case no."),
    "court": ("ศาล", "Court"),
    "office": ("สำนักงาน", "Office"),
    "plaintiff": ("โจทก์", "Plaintiff"),
    "defendant": ("จำเลย", "Defendant"),
    "schedule": ("กำหนดวันขาย", "Sale schedule"),
    "status": ("สถานะ", "Status"),
    "date": ("วันที่", "Date"),
    "location": ("ที่ตั้ง", "Location"),
    "encumbrance_free": ("ขายปลอดการจำนอง", "Sold free of mortgage"),
    "encumbrance_mortgage": ("ขายโดยการจำนองติดไป", "Sold subject to mortgage"),
    "occupancy": ("ผู้ครอบครอง", "Occupancy"),
    "occupancy_owner": ("เจ้าของอยู่อาศัย", "Owner-occupied"),
    "occupancy_tenant": ("ผู้เช่า", "Tenant"),
    "occupancy_unknown": ("ไม่ทราบ", "Unknown"),
    "deed": ("เอกสารสิทธิ", "Title deed"),
    "sale_order": ("ลำดับที่การขาย", "Sale order"),
    "rai_ngan_wah": ("ไร่-งาน-ตร.วา", "rai-ngan-sq.wah"),
    "sqm": ("ตร.ม.", "m²"),
    "page": ("หน้า", "Page"),
    "prev": ("ก่อนหน้า", "Previous"),
    "next": ("ถัดไป", "Next"),
    "of_total": ("จากทั้งหมด", "of"),
    "items": ("รายการ", "items"),
    "precision_exact": ("ตำแหน่งจริง", "exact point"),
    "precision_subdistrict": ("กึ่งกลางตำบล (โดยประมาณ)", "subdistrict centre (approx.)"),
    "precision_district": ("กึ่งกลางอำเภอ (โดยประมาณ)", "district centre (approx.)"),
    "lang_switch": ("English", "ภาษาไทย"),
    "all_lots_of_case": ("ทรัพย์ทั้งหมดในคดี", "All lots in this case"),
    "not_found": ("ไม่พบข้อมูล", "Not found"),
    "room_console": ("ควบคุมห้องประมูล", "Room console"),
    "room_current_lot": ("ทรัพย์ที่กำลังประมูล", "Lot on the block"),
    "room_your_bid": ("เสนอราคา", "Your bid"),
    "room_ladder": ("ลำดับการเสนอราคา", "Bid ladder"),
    "room_queue": ("รายการทรัพย์ของวันนี้", "Today's lots"),
    "room_controls": ("ควบคุมการประมูล", "Run the lot"),
    "room_connection": ("สถานะการเชื่อมต่อ", "Connection"),
    "room_needs_js": (
        "ห้องประมูลต้องใช้ JavaScript กรุณาเปิดใช้งาน",
        "The auction room needs JavaScript; please enable it",
    ),
}


def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("lang")
    return c if c in LANGS else "th"


def t(key: str, lang: str) -> str:
    pair = STRINGS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "th" else pair[1]


def context(request: Request) -> dict[str, Any]:
    """Template globals for every page."""
    lang = lang_of(request)
    other = "en" if lang == "th" else "th"
    params = dict(request.query_params)
    params["lang"] = other
    return {
        "lang": lang,
        "t": lambda key: t(key, lang),
        "L": lambda pair: (pair.get(lang) if isinstance(pair, dict) else pair) or "",
        "date": lambda d: thai.format_date(d, lang),
        "datetime": lambda d: thai.format_datetime(d, lang),
        "baht": thai.format_baht,
        "switch_url": f"{request.url.path}?{urlencode(params)}",
    }
