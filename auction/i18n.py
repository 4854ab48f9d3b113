"""Thai first, with an English switch: ?lang=en (remembered in a cookie) or the cookie alone; a
first visit, with neither, follows the browser's Accept-Language."""

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
    "role_buyer": ("ผู้ซื้อ", "Buyer"),
    "role_officer": ("เจ้าพนักงาน", "Officer"),
    "role_admin": ("ผู้ดูแลระบบ", "Administrator"),
    "help": ("วิธีประมูล", "How it works"),
    "glossary": ("อภิธานศัพท์", "Glossary"),
    "room_open_enter": ("ห้องประมูลเปิดวันนี้ — เข้าห้อง", "Room open today — enter"),
    "console_today": ("ควบคุมห้องประมูลวันนี้", "Run today's room"),
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
    # accounts and registration (issue 4)
    "email": ("อีเมล", "Email"),
    "password": ("รหัสผ่าน", "Password"),
    "display_name": ("ชื่อที่แสดง", "Display name"),
    "account": ("บัญชีของฉัน", "My account"),
    "buyer_profile": ("ข้อมูลผู้ซื้อ", "Buyer profile"),
    "save": ("บันทึก", "Save"),
    "saved": ("บันทึกแล้ว", "Saved"),
    "individual": ("บุคคลธรรมดา", "Individual"),
    "company": ("นิติบุคคล", "Company"),
    "full_name": ("ชื่อ-นามสกุล / ชื่อนิติบุคคล", "Full name / company name"),
    "thai_id": ("เลขประจำตัวประชาชน", "Thai ID number"),
    "passport": ("หนังสือเดินทาง", "Passport"),
    "id_no": ("เลขที่เอกสาร", "Document number"),
    "juristic_no": ("เลขทะเบียนนิติบุคคล", "Juristic registration no."),
    "affidavit_date": ("วันที่ออกหนังสือรับรอง (ไม่เกิน 1 เดือน)", "Affidavit issue date (within 1 month)"),
    "phone": ("โทรศัพท์", "Phone"),
    "address": ("ที่อยู่", "Address"),
    "province": ("จังหวัด", "Province"),
    "district": ("อำเภอ/เขต", "District"),
    "tambon": ("ตำบล/แขวง", "Subdistrict"),
    "bank_name": ("ธนาคาร (สำหรับคืนหลักประกัน)", "Bank (for deposit refunds)"),
    "bank_account_no": ("เลขที่บัญชี", "Account number"),
    "bank_account_name": ("ชื่อบัญชี", "Account name"),
    "pre_register": ("ลงทะเบียนล่วงหน้า", "Pre-register"),
    "bidder_no": ("หมายเลขผู้เข้าสู้ราคา", "Bidder number"),
    "setoff_claim": (
        "ข้าพเจ้ามีสิทธิใช้ส่วนแทน (เจ้าหนี้ตามคำพิพากษา/ผู้ถือกรรมสิทธิ์รวม)",
        "I am entitled to set off my claim (judgment creditor / co-owner)",
    ),
    "proxy": ("เข้าสู้ราคาแทนผู้อื่น (ผู้รับมอบอำนาจ)", "Bidding for someone else (proxy)"),
    "principal_name": ("ชื่อผู้มอบอำนาจ", "Principal's name"),
    "principal_id": ("เลขประจำตัวผู้มอบอำนาจ", "Principal's ID number"),
    "deposit_queue": ("คิวตรวจหลักประกัน", "Deposit queue"),
    "confirm_deposit": ("ยืนยันหลักประกัน", "Confirm deposit"),
    "reject": ("ไม่อนุมัติ", "Reject"),
    "reason": ("เหตุผล", "Reason"),
    "method": ("วิธีวางหลักประกัน", "Payment method"),
    "reference": ("เลขที่ใบเสร็จ/อ้างอิง", "Receipt / reference"),
    "method_cash": ("เงินสด", "Cash"),
    "method_cheque": ("แคชเชียร์เช็ค", "Cashier's cheque"),
    "method_card": ("บัตร (EDC)", "Card (EDC)"),
    "method_transfer": ("โอนเงิน", "Transfer"),
    "walk_in": ("ลงทะเบียนผู้มาด้วยตนเอง", "Register a walk-in"),
    "refunds": ("คืนหลักประกัน", "Deposit refunds"),
    "balances": ("ชำระราคาส่วนที่เหลือ", "Winners' balances"),
    "cancel": ("ยกเลิก", "Cancel"),
    # results, statistics, closing the day, ratings (issue 6)
    "all": ("ทั้งหมด", "All"),
    "show": ("แสดง", "Show"),
    "filters": ("ตัวกรอง", "Filters"),
    "property_type": ("ประเภททรัพย์", "Property type"),
    "statistics": ("สถิติการขาย", "Sale statistics"),
    "results_intro": (
        "ผลการขายทอดตลาดทุกนัดที่ประกาศแล้ว เก็บไว้ทั้งหมด แสดงจำนวนผู้เข้าสู้ราคาและหมายเลขผู้ซื้อ (ไม่แสดงชื่อ)",
        "Every published sale result, kept for good, with bidder counts and bidder numbers (never names).",
    ),
    "sale_date": ("วันขาย", "Sale date"),
    "outcome_sold": ("ขายได้", "Sold"),
    "outcome_no_bidder": ("ไม่มีผู้สู้ราคา", "No bidder"),
    "outcome_suspended": ("งดขาย", "Suspended"),
    "outcome_withdrawn": ("ถอนการยึด", "Withdrawn"),
    "latest_days": ("วันขายที่ประกาศผลล่าสุด", "Latest published sale days"),
    "sold_price": ("ราคาที่ขายได้", "Sold for"),
    "of_appraisal": ("ของราคาประเมิน", "of appraisal"),
    "winner": ("ผู้ซื้อได้", "Buyer"),
    "defaulted": ("ผิดนัดชำระ นำออกขายใหม่", "Defaulted, back on sale"),
    "balance_paid": ("ชำระราคาครบแล้ว", "Balance paid"),
    "awaiting_balance": ("รอชำระราคาส่วนที่เหลือ", "Awaiting balance"),
    "bidders": ("จำนวนผู้เข้าสู้ราคา", "Bidders"),
    "amount": ("จำนวนเงิน", "Amount"),
    "time": ("เวลา", "Time"),
    "floor": ("ในห้อง", "floor"),
    "no_results": ("ไม่พบรายการ", "Nothing found"),
    "stats_intro": (
        "สถิติจากผลการขายที่ประกาศแล้ว ตามปีงบประมาณ (ต.ค.–ก.ย.) เดือน สำนักงาน จังหวัด และประเภททรัพย์",
        "From published results, by fiscal year (Oct–Sep, BE), month, office, province and property type.",
    ),
    "group_by": ("จัดกลุ่มตาม", "Group by"),
    "group_fy": ("ปีงบประมาณ", "Fiscal year"),
    "group_month": ("เดือน", "Month"),
    "group_office": ("สำนักงาน", "Office"),
    "group_province": ("จังหวัด", "Province"),
    "group_type": ("ประเภททรัพย์", "Property type"),
    "fiscal_year": ("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"),
    "totals": ("ภาพรวม", "Totals"),
    "offered": ("นำออกขาย", "Offered"),
    "sold": ("ขายได้", "Sold"),
    "sell_through": ("อัตราขายได้", "Sell-through"),
    "value_sold": ("มูลค่าที่ขายได้", "Value sold"),
    "ratio_to_appraisal": ("ราคาขายต่อราคาประเมิน", "Price to appraisal"),
    "avg_rounds": ("ขายได้ในนัดที่ (เฉลี่ย)", "Average round of sale"),
    "table": ("ตารางข้อมูล", "Data table"),
    "total": ("รวม", "Total"),
    "stats_repeated": (
        "ทรัพย์ {n} รายการนำออกขายในมากกว่าหนึ่งกลุ่ม ({group}) จึงนับในทุกแถวที่ขาย แต่นับครั้งเดียวในแถวรวมและภาพรวมด้านบน "
        "ผลรวมของแถวจึงมากกว่ายอดรวม",
        "{n} lots were offered in more than one {group} row: each is counted in every row it was offered in, "
        "but once in the total and the headline above, so the rows add up to more than the total.",
    ),
    "stats_repeated_one": (
        "",
        "1 lot was offered in more than one {group} row: it is counted in every row it was offered in, "
        "but once in the total and the headline above, so the rows add up to more than the total.",
    ),
    "stats_definitions": (
        "นำออกขาย = จำนวนทรัพย์ที่มีการเปิดให้สู้ราคา (ขายได้หรือไม่มีผู้สู้ราคา) ไม่นับนัดที่งดขายหรือถอนการยึด; "
        "อัตราขายได้ = ขายได้ ÷ นำออกขาย; ราคาประเมิน = ราคาที่ใช้เป็นฐานของทรัพย์ที่ขายได้",
        "Offered = lots put up for bidding (sold or no bidder), not suspended or withdrawn rounds; "
        "sell-through = sold ÷ offered; appraisal = the base price of the lots sold.",
    ),
    "close_day": ("ปิดวันขายและประกาศผล", "Close the sale day"),
    "day_open": ("ยังไม่ส่งตรวจ", "Open"),
    "day_submitted": ("รออนุมัติ", "Awaiting approval"),
    "day_published": ("ประกาศผลแล้ว", "Published"),
    "undecided": ("ยังไม่บันทึกผล", "No outcome yet"),
    "record_outcome": ("บันทึกผลการขาย", "Record the outcome"),
    "reason_detail": ("รายละเอียดเหตุผล", "Reason details"),
    "submit_day": ("ส่งสรุปผลการขายให้ตรวจ", "Submit the day for approval"),
    "submit_day_help": (
        "ทุกรายการต้องมีผลการขายก่อน แล้วเจ้าพนักงานอีกคนหนึ่งของสำนักงานเป็นผู้อนุมัติประกาศผล",
        "Every lot needs an outcome first; another officer of the office then approves publication.",
    ),
    "approve_day": ("อนุมัติและประกาศผล", "Approve and publish"),
    "needs_second_officer": (
        "ท่านเป็นผู้ส่งตรวจ ต้องให้เจ้าพนักงานอีกคนหนึ่งเป็นผู้อนุมัติ",
        "You submitted this day: another officer must approve it.",
    ),
    "send_back": ("ส่งกลับให้แก้ไข", "Send back for correction"),
    "day_published_note": ("ประกาศผลการขายของวันนี้แล้ว", "This day's results are published."),
    "rate_services": ("ประเมินความพึงพอใจ", "Rate our service"),
    "thanks_rating": ("ขอบคุณสำหรับการประเมิน", "Thank you for your rating"),
    "score": ("คะแนน (1–5)", "Score (1–5)"),
    "comment": ("ความคิดเห็น", "Comment"),
    "send": ("ส่ง", "Send"),
    "nothing_to_rate": ("ยังไม่มีบริการที่ประเมินได้", "Nothing to rate yet"),
    "satisfaction": ("ความพึงพอใจของผู้รับบริการ", "Service satisfaction"),
    "service": ("บริการ", "Service"),
    "ratings_count": ("จำนวนผู้ประเมิน", "Ratings"),
    "mean_score": ("คะแนนเฉลี่ย", "Mean score"),
    "comments": ("ความคิดเห็นล่าสุด", "Latest comments"),
}


MAX_ACCEPT_LANGUAGE = 500  # a real browser sends a few dozen characters; longer is ignored, not parsed


def browser_lang(header: str) -> str | None:
    """The first of our languages in the browser's preference order (RFC 9110 q-values), or None."""
    if not header or len(header) > MAX_ACCEPT_LANGUAGE:
        return None
    best: tuple[float, int, str] | None = None
    for pos, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0 and (best is None or (q, -pos) > (best[0], best[1])):
            best = (q, -pos, primary)
    return best[2] if best else None


def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("lang")
    if c in LANGS:
        return c
    return browser_lang(request.headers.get("accept-language", "")) or "th"


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
