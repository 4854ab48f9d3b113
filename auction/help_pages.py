"""Help for a first-time buyer: how an auction works here, and a glossary of the terms the pages
use. Facts from docs/domain.md; the numbers marked [policy] there are LED's and may change."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auction.web import render

# (anchor, Thai term, English term, Thai explanation, English explanation); anchors are linked
# from the lot page (/help/glossary#deposit), so they stay stable.
GLOSSARY: list[tuple[str, str, str, str, str]] = [
    ("round", "นัด", "Round (sale date)",
     "วันขายแต่ละครั้งของทรัพย์หนึ่งรายการ ประกาศครั้งเดียวได้ถึง 8 นัด ส่วนใหญ่ 6 นัดห่างกันประมาณ 21 วัน "
     "นัดแรกเริ่มที่ราคาประเมิน ถ้านัดใดไม่มีผู้สู้ราคา นัดต่อไปเริ่มต่ำลงเป็น 90% 80% และ 70% ของราคาประเมิน "
     "(ตามประกาศกรมบังคับคดี อาจเปลี่ยนได้) นัดที่งดขายด้วยเหตุอื่นไม่ลดราคา",
     "One sale date of a lot. An announcement schedules up to 8 rounds, usually 6 about 21 days apart. "
     "Round 1 starts at the base price; after a round with no bidder the next starts at 90%, then 80%, "
     "then 70% (LED policy, may change). A round suspended for another reason does not lower the price."),
    ("deposit", "หลักประกัน", "Deposit",
     "เงินที่ต้องวางก่อนเข้าสู้ราคา จำนวนตามที่ประกาศของแต่ละทรัพย์ (ตามช่วงราคาประเมิน) วางได้ด้วยเงินสด "
     "แคชเชียร์เช็ค บัตร หรือโอนเงิน เมื่อเจ้าพนักงานยืนยันแล้วจึงได้หมายเลขผู้เข้าสู้ราคา ผู้ที่ไม่ชนะได้คืนเมื่อปิดการขายทรัพย์นั้น "
     "ผู้ชนะนำไปหักจากราคา",
     "Money placed before bidding, as each listing states (by appraisal band). Paid by cash, cashier's "
     "cheque, card or transfer; once an officer confirms it you get a bidder number. Returned to those who "
     "do not win when the lot closes; the winner's is applied to the price."),
    ("set-off", "ใช้ส่วนแทน (ผู้มีสิทธิใช้ส่วนแทน)", "Set-off",
     "ผู้ที่มีสิทธินำหนี้ตามคำพิพากษาหรือส่วนของตนมาหักแทนการชำระเงิน เช่น เจ้าหนี้ตามคำพิพากษาหรือผู้ถือกรรมสิทธิ์รวม "
     "วางหลักประกันในอัตราที่ต่ำกว่า (ประมาณ 5% ของราคาประเมิน) ต้องแจ้งสิทธินี้ตอนลงทะเบียน",
     "Those entitled to set their claim off against the price (the judgment creditor, a co-owner) place a "
     "lower deposit, about 5% of the appraisal. Claim it when you register."),
    ("mortgage", "ขายติดจำนอง (ขายโดยการจำนองติดไป)", "Sold subject to mortgage",
     "ทรัพย์ขายไปพร้อมกับจำนองที่มีอยู่ ผู้ซื้อได้กรรมสิทธิ์แต่จำนองยังติดอยู่กับทรัพย์ ผู้รับจำนองยังบังคับเอากับทรัพย์ได้ "
     "ถ้าต้องการทรัพย์ที่ปลอดภาระ ผู้ซื้อต้องไถ่ถอนจำนองกับผู้รับจำนองเอง ดูชื่อผู้รับจำนองและยอดจำนองในหน้าทรัพย์ก่อนเสนอราคา "
     "ส่วน \"ขายปลอดการจำนอง\" คือผู้ซื้อได้ทรัพย์โดยไม่มีจำนองติดมา",
     "The property is sold with its mortgage still attached: the buyer becomes the owner, but the mortgagee "
     "can still enforce the mortgage against the property, so to own it free the buyer must redeem the "
     "mortgage with the mortgagee. Check the mortgagee and the amount on the lot page before bidding. "
     "\"Sold free of mortgage\" means no mortgage comes with it."),
    ("appraisal", "ราคาประเมิน", "Appraisal (base price)",
     "ราคาที่ใช้เป็นฐานของการขาย ใช้ราคาของคณะกรรมการกำหนดราคาทรัพย์ถ้ามี ถ้าไม่มีใช้ราคาของเจ้าพนักงานประเมินราคา "
     "หรือของเจ้าพนักงานบังคับคดีตามลำดับ",
     "The sale's base price: the Price Fixing Committee's if there is one, else the appraisal officer's, "
     "else the executing officer's."),
    ("start-price", "ราคาเริ่มต้น", "Starting price",
     "ราคาที่เจ้าพนักงานเริ่มให้สู้ราคาในนัดนั้น คำนวณจากราคาประเมินและนัดที่ (ดู \"นัด\")",
     "The price the officer opens the bidding at in a round, from the appraisal and the round (see Round)."),
    ("paddle", "ป้าย / หมายเลขผู้เข้าสู้ราคา", "Bidder number (paddle)",
     "หมายเลขที่ได้หลังเจ้าพนักงานยืนยันหลักประกัน หนึ่งหมายเลขต่อคนต่อวันขายต่อสำนักงาน ใช้เสนอราคาในห้องประมูล "
     "ผลการขายแสดงหมายเลขนี้ ไม่แสดงชื่อ",
     "The number you get once your deposit is confirmed: one per person per sale day and office, used to bid "
     "in the room. Results show this number, never your name."),
    ("room", "ห้องประมูล (e-Offering)", "Auction room (e-Offering)",
     "การขายของสำนักงานในวันนั้น ผู้เสนอราคาผ่านเว็บและผู้ชูป้ายในห้องขายแข่งกันในลำดับราคาเดียวกัน ทุกคนเข้าชมได้",
     "An office's sale of the day: bids from the web and paddles raised in the hall compete in one stream. "
     "Anyone may watch."),
    ("hammer", "เคาะไม้ (ทุบไม้)", "Hammer",
     "เจ้าพนักงานนับหนึ่ง สอง สาม แล้วเคาะไม้ขาย การขายสมบูรณ์เมื่อเคาะไม้ ราคาที่เคาะแล้วเป็นที่สุด",
     "The officer counts one, two, three, then brings the hammer down: the sale is complete at the hammer "
     "and its price is final."),
    ("balance", "ชำระราคาส่วนที่เหลือ", "Paying the balance",
     "ผู้ชนะชำระราคาที่เหลือ (ราคาที่ซื้อได้หักหลักประกัน) ภายใน 15 วัน ขอขยายได้ถึง 90 วันเมื่อมีหนังสือจากธนาคารว่ากำลังพิจารณาสินเชื่อ "
     "ถ้าไม่ชำระ หลักประกันถูกริบ ทรัพย์นำออกขายใหม่ และผู้ชนะต้องรับผิดส่วนที่ขาด",
     "The winner pays the rest (price less deposit) within 15 days, extendable up to 90 days with a bank's "
     "loan letter. A winner who does not pay forfeits the deposit, the lot is sold again and they owe any "
     "shortfall."),
    ("red-case", "หมายเลขคดีแดง", "Red case number",
     "หมายเลขคดีที่ศาลให้เมื่อพิพากษา เช่น ผบ.1234/2563 (อักษรนำ เลขที่ / ปี พ.ศ.) ใช้ค้นหาทรัพย์ของคดี "
     "หมายเลขคดีดำคือหมายเลขตอนยื่นฟ้อง",
     "The number the court gives at judgment, e.g. ผบ.1234/2563 (prefix, number / Buddhist-era year); search "
     "a case's lots by it. The black case number is the one given at filing."),
    ("sale-order", "ลำดับที่การขาย", "Sale order",
     "ลำดับของทรัพย์ในประกาศขาย เช่น 13-1 (รายการที่ 13 ย่อยที่ 1) เจ้าพนักงานขายตามลำดับนี้",
     "The lot's place in the announcement, e.g. 13-1 (lot 13, item 1); the officer sells in this order."),
    ("suspended", "งดขาย / งดขายไม่มีผู้สู้ราคา / ถอนการยึด", "Suspended / no bidder / seizure withdrawn",
     "งดขาย: นัดนั้นไม่ขายด้วยเหตุต่าง ๆ เช่น โจทก์ขอ หรือศาลสั่ง; งดขายไม่มีผู้สู้ราคา: ไม่มีผู้เสนอราคา นัดต่อไปราคาลดลง; "
     "ถอนการยึด: ทรัพย์ไม่ถูกขายอีก",
     "Suspended: the round is not held, e.g. at the plaintiff's request or a court order; no bidder: nobody "
     "bid, the next round starts lower; seizure withdrawn: the lot is not sold at all."),
    ("area", "ไร่-งาน-ตร.วา", "Rai-ngan-square wah",
     "หน่วยเนื้อที่ดิน 1 ไร่ = 4 งาน = 400 ตารางวา และ 1 ตารางวา = 4 ตารางเมตร ห้องชุดแสดงเป็นตารางเมตร",
     "Land area units: 1 rai = 4 ngan = 400 square wah; 1 square wah = 4 m². Condominium units are in m²."),
    ("deed", "เอกสารสิทธิ", "Title deed",
     "เอกสารแสดงสิทธิในที่ดิน เช่น โฉนดที่ดิน น.ส.3ก หรือหนังสือกรรมสิทธิ์ห้องชุด เลขที่โฉนดซ้ำกันได้ระหว่างสำนักงานที่ดิน",
     "The land title: a chanote (โฉนด), an N.S.3 Kor, or a condominium title. Deed numbers repeat between land offices."),
    ("occupancy", "ผู้ครอบครอง", "Occupancy",
     "ผู้ที่อยู่ในทรัพย์ตามที่ประกาศ: เจ้าของอยู่อาศัย ผู้เช่า หรือไม่ทราบ ควรไปดูทรัพย์ก่อนเสนอราคา",
     "Who lives in the property as announced: the owner, a tenant, or unknown. Visit before you bid."),
    ("proxy", "ผู้รับมอบอำนาจ", "Proxy",
     "ผู้เข้าสู้ราคาแทนผู้อื่น ต้องแสดงหนังสือมอบอำนาจก่อนเสนอราคา มิฉะนั้นถือเป็นการเสนอราคาของผู้รับมอบอำนาจเอง",
     "Someone bidding for another person must show the power of attorney before bidding, or the bid is "
     "their own."),
    ("office", "สำนักงานบังคับคดี", "Legal execution office",
     "สำนักงานของกรมบังคับคดีที่ขายทรัพย์และรับหลักประกัน แต่ละสำนักงานมีห้องประมูลของตนในวันขาย",
     "The Legal Execution Department's office that sells the lot and takes the deposit; each office runs its "
     "own room on a sale day."),
]  # fmt: skip


async def help_page(request: Request) -> Response:
    return render(request, "help.html")


async def glossary_page(request: Request) -> Response:
    return render(request, "glossary.html", terms=GLOSSARY)


routes = [
    Route("/help", help_page),
    Route("/help/glossary", glossary_page),
]
