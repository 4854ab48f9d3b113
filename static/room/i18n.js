// The room pages' words, Thai first, and the formats Thai readers expect. Pure.

export function fmtBaht(n) {
  if (n == null || Number.isNaN(Number(n))) return '–';
  return '฿' + Math.round(Number(n)).toLocaleString('en-US');
}

const TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

// Server times are UTC; people read Bangkok time.
export function fmtTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : TIME.format(d);
}

// DD/MM/BBBB (Buddhist era) in Thai, DD/MM/YYYY in English; a sale date is a calendar date.
export function fmtDate(isoDate, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate || '');
  if (!m) return '';
  const year = Number(m[1]) + (lang === 'th' ? 543 : 0);
  return `${m[3]}/${m[2]}/${year}`;
}

// A {th, en} pair from the server, in the page's language.
export function L(pair, lang) {
  if (pair == null) return '';
  if (typeof pair === 'string') return pair;
  return pair[lang] || pair.th || pair.en || '';
}

const lotName = (p, lang) => {
  const lot = p.lot || {};
  return [lot.sale_order, L(lot.title, lang) || L(lot.property_type_label, lang)].filter(Boolean).join(' ');
};

export const STRINGS = {
  th: {
    conn_connecting: 'กำลังเชื่อมต่อ…',
    conn_live: 'สด',
    conn_reconnecting: 'กำลังเชื่อมต่อใหม่…',
    conn_offline: 'ไม่มีอินเทอร์เน็ต กำลังรอ…',
    conn_closed: 'การเชื่อมต่อถูกปิด',
    audience: (p) => `ผู้ชม ${p.n} คน`,
    no_lot: 'ยังไม่มีทรัพย์ที่เปิดประมูล',
    no_lot_hint: 'เมื่อเจ้าหน้าที่เปิดทรัพย์ รายละเอียดจะแสดงที่นี่',
    state_idle: 'รอเปิดประมูล',
    state_open: 'กำลังประมูล',
    state_hammered: 'เคาะไม้ขายแล้ว',
    state_passed: 'งดขาย ไม่มีผู้สู้ราคา',
    state_suspended: 'งดขาย',
    sale_order: 'ลำดับที่',
    red_case: 'หมายเลขคดีแดง',
    appraisal: 'ราคาประเมิน',
    start_price: 'ราคาเริ่มต้น',
    increment: 'ราคาเพิ่มครั้งละ',
    round: 'นัดที่',
    current_price: 'ราคาสูงสุดขณะนี้',
    sold_price: 'ราคาที่ขายได้',
    you_won: 'คุณเป็นผู้ซื้อได้',
    no_bids_yet: 'ยังไม่มีผู้เสนอราคา',
    leading_bidder: (p) => `ป้ายหมายเลข ${p.n}`,
    you_lead: 'คุณเสนอราคาสูงสุด',
    next_min: 'ขั้นต่ำ',
    your_bid: 'ราคาที่จะเสนอ',
    plus: (p) => `+${fmtBaht(p.amount)}`,
    plus_label: (p) => `+${p.amount} (เพิ่ม ${p.n} ขั้น)`,
    send_bid: 'เสนอราคา',
    sending: 'กำลังส่ง…',
    wait_receipt: 'รอการยืนยันจากระบบ…',
    bad_amount: 'กรอกจำนวนเงินเป็นตัวเลข (ใช้เลขไทยได้)',
    below_min: (p) => `ต้องไม่น้อยกว่า ${p.min}`,
    confirm_title: 'ยืนยันการเสนอราคา',
    confirm_body: (p) => `คุณกำลังเสนอ ${p.amount} ซึ่งสูงกว่าราคาขั้นต่ำ ${p.over} (${p.pct}%) แน่ใจหรือไม่?`,
    confirm_yes: 'ยืนยัน เสนอราคา',
    confirm_jump: (p) => `แน่ใจหรือไม่: เสนอ ${p.amount} เท่ากับ ${p.ratio} เท่าของราคาปัจจุบัน?`,
    ann_bid_retrying: (p) => `ระบบยังไม่ได้บันทึกราคาเสนอ ${fmtBaht(p.amount)} กำลังส่งใหม่…`,
    cancel: 'ยกเลิก',
    count: 'นับ',
    count_since: (p) => `เมื่อ ${p.s} วินาทีที่แล้ว`,
    last_bid_since: (p) => `ราคาล่าสุดเมื่อ ${p.s} วินาทีที่แล้ว`,
    ladder: 'ลำดับการเสนอราคา',
    ladder_empty: 'ยังไม่มีการเสนอราคา',
    col_time: 'เวลา',
    col_bidder: 'ป้าย',
    col_amount: 'ราคา',
    col_channel: 'ช่องทาง',
    channel_remote: 'ออนไลน์',
    channel_floor: 'ในห้อง',
    you_are: (p) => `ป้ายของคุณ ${p.n}`,
    you_approved: 'อนุมัติให้เสนอราคาแล้ว',
    watching: 'คุณกำลังรับชม',
    why_login: 'เข้าสู่ระบบเพื่อเสนอราคา',
    why_not_approved: 'ลงทะเบียนและวางหลักประกันสำหรับทรัพย์นี้เพื่อเสนอราคา',
    why_officer: 'เจ้าหน้าที่เสนอราคาไม่ได้ ใช้หน้าควบคุมห้องประมูล',
    why_staff: 'เจ้าหน้าที่กรมบังคับคดีเสนอราคาไม่ได้',
    why_barred: 'หมายเลขนี้ถูกระงับสิทธิ์การเสนอราคา',
    result_sold: (p) => `ขายได้ ${p.price} ป้ายหมายเลข ${p.n} (ผู้เสนอราคา ${p.c} ราย)`,
    result_passed: 'งดขาย ไม่มีผู้สู้ราคา',
    result_suspended: (p) => `งดขาย: ${p.reason}`,
    ann_lot_opened: (p) => `เปิดประมูลทรัพย์ลำดับที่ ${lotName(p, 'th')} ราคาเริ่มต้น ${fmtBaht(p.lot.start_price)}`,
    ann_outbid: (p) => `มีผู้เสนอราคาสูงกว่าคุณ ${fmtBaht(p.amount)} ราคาขั้นต่ำถัดไป ${fmtBaht(p.next_min)}`,
    ann_bid_accepted: (p) => `รับราคาเสนอของคุณแล้ว ${fmtBaht(p.amount)}`,
    ann_floor_accepted: (p) => `บันทึกราคาป้าย ${p.paddle} ${fmtBaht(p.amount)} แล้ว`,
    ann_bid_rejected: (p) => `ไม่รับราคาเสนอ: ${L(p.message, 'th') || p.code}${p.min_amount ? ` (ขั้นต่ำ ${fmtBaht(p.min_amount)})` : ''}`,
    ann_bid_failed: (p) => `ส่งราคาเสนอไม่สำเร็จ: ${L(p.message, 'th') || p.code} กดเสนอราคาอีกครั้งได้`,
    ann_your_bid_undone: (p) => `ราคาเสนอ ${fmtBaht(p.amount)} ของคุณถูกยกเลิก: ${p.reason || ''}`,
    ann_leading_again: (p) => `คุณกลับมาเสนอราคาสูงสุด ${fmtBaht(p.amount)}`,
    ann_count3: (p) => `นับสาม ราคา ${fmtBaht(p.price)}`,
    ann_hammer: (p) => `เคาะไม้ขาย ${fmtBaht(p.price)} ให้ป้ายหมายเลข ${p.bidder_no}`,
    ann_you_won: (p) => `เคาะไม้ขายให้คุณ ราคา ${fmtBaht(p.price)}`,
    ann_passed: 'งดขาย ไม่มีผู้สู้ราคา',
    ann_suspended: (p) => `งดขาย${suspendWords(p, 'th') ? `: ${suspendWords(p, 'th')}` : ''}`,
    ann_bid_undone: (p) => `เจ้าพนักงานยกเลิกราคาเสนอ ${fmtBaht(p.amount)} ของป้ายหมายเลข ${p.bidder_no}: ${p.reason || ''}`,
    notice_bid_undone: (p) => `เจ้าพนักงานยกเลิกราคาเสนอ ${p.amount} ของป้ายหมายเลข ${p.n} เหตุผล: ${p.reason}`,
    notice_your_bid_undone: (p) => `เจ้าพนักงานยกเลิกราคาเสนอ ${p.amount} ของคุณ เหตุผล: ${p.reason}`,
    undone_tag: '(ยกเลิก)',
    last_bid_by: (p) => `ราคาสุดท้ายโดยป้ายหมายเลข ${p.n}`,
    clock: 'เวลา',
    closing: (p) => `เซิร์ฟเวอร์ปิดการเชื่อมต่อ: ${p.message}`,
    // console
    queue: 'รายการทรัพย์ของวันนี้',
    queue_empty: 'ไม่มีทรัพย์ในวันนี้',
    open_lot: 'เปิดประมูล',
    open_lot_label: (p) => `เปิดประมูล ลำดับที่ ${p.order}`, // the visible "เปิดประมูล" as a word of the name (WCAG 2.5.3)
    open_increment: 'ราคาเพิ่มเมื่อเปิด (เว้นว่าง = ค่าตั้งต้น)',
    qstatus_scheduled: 'รอขาย',
    qstatus_sold: 'ขายได้',
    qstatus_no_bidder: 'ไม่มีผู้สู้ราคา',
    qstatus_suspended: 'งดขาย',
    qstatus_withdrawn: 'ถอนการยึด',
    qstatus_cancelled: 'ยกเลิก',
    floor_bid: 'ราคาในห้อง',
    paddle: 'ป้ายหมายเลข',
    amount: 'จำนวนเงิน (บาท)',
    enter_floor: 'บันทึกราคาในห้อง',
    bad_paddle: 'กรอกหมายเลขป้าย',
    set_increment: 'ตั้งราคาเพิ่มครั้งละ',
    apply: 'ตั้งค่า',
    counting: 'นับ',
    count_n: (p) => `นับ ${p.n}`,
    hammer: 'เคาะไม้',
    hammer_confirm: (p) => `เคาะไม้ขาย ${p.price} ให้ป้ายหมายเลข ${p.n}? ไม่สามารถย้อนกลับได้`,
    pass: 'งดขาย (ไม่มีผู้สู้ราคา)',
    suspend: 'งดขาย',
    suspend_code: 'เหตุที่งดขาย',
    suspend_text: 'รายละเอียด',
    undo: 'ยกเลิกราคาล่าสุด',
    undo_reason: 'เหตุผลที่ยกเลิก (จำเป็น)',
    reason_required: 'ต้องระบุเหตุผล',
    bid_stream: 'ราคาที่เสนอ',
    close_lot: 'ปิดทรัพย์',
    officer_only: 'หน้านี้สำหรับเจ้าหน้าที่ของสำนักงานนี้เท่านั้น',
    dismiss: 'ปิด',
    reason_plaintiff_request: 'โจทก์ขอให้งดการขาย',
    reason_court_order: 'ศาลมีคำสั่งให้งดการขาย',
    reason_improper_notice: 'การแจ้งประกาศขายไม่ถูกต้อง',
    reason_party_died: 'คู่ความถึงแก่ความตาย',
    reason_officer: 'เจ้าพนักงานเห็นสมควร',
    reason_other: 'อื่น ๆ',
  },
  en: {
    conn_connecting: 'Connecting…',
    conn_live: 'Live',
    conn_reconnecting: 'Reconnecting…',
    conn_offline: 'Offline, waiting for the network…',
    conn_closed: 'Connection closed',
    audience: (p) => `${p.n} watching`,
    no_lot: 'No lot is open yet',
    no_lot_hint: 'When the officer opens a lot, it appears here.',
    state_idle: 'Waiting',
    state_open: 'Bidding open',
    state_hammered: 'Sold (hammer)',
    state_passed: 'No bidder',
    state_suspended: 'Suspended',
    sale_order: 'Sale order',
    red_case: 'Red case no.',
    appraisal: 'Appraisal',
    start_price: 'Starting price',
    increment: 'Increment',
    round: 'Round',
    current_price: 'Current price',
    sold_price: 'Sold for',
    you_won: 'You won this lot',
    no_bids_yet: 'No bids yet',
    leading_bidder: (p) => `Bidder no. ${p.n}`,
    you_lead: 'You are the highest bidder',
    next_min: 'minimum',
    your_bid: 'Your bid',
    plus: (p) => `+${fmtBaht(p.amount)}`,
    plus_label: (p) => `+${p.amount} (add ${p.n} increment${p.n > 1 ? 's' : ''})`,
    send_bid: 'Place bid',
    sending: 'Sending…',
    wait_receipt: 'Waiting for the server to confirm…',
    bad_amount: 'Enter an amount in digits (Thai digits are fine)',
    below_min: (p) => `Must be at least ${p.min}`,
    confirm_title: 'Confirm your bid',
    confirm_body: (p) => `You are bidding ${p.amount}, ${p.over} (${p.pct}%) above the minimum. Are you sure?`,
    confirm_yes: 'Yes, place bid',
    confirm_jump: (p) => `Are you sure: ${p.amount}, ${p.ratio}× the current price?`,
    ann_bid_retrying: (p) => `Your bid of ${fmtBaht(p.amount)} was not recorded yet: sending it again…`,
    cancel: 'Cancel',
    count: 'Count',
    count_since: (p) => `${p.s} s ago`,
    last_bid_since: (p) => `Last bid ${p.s} s ago`,
    ladder: 'Bid ladder',
    ladder_empty: 'No bids yet',
    col_time: 'Time',
    col_bidder: 'Bidder',
    col_amount: 'Amount',
    col_channel: 'Channel',
    channel_remote: 'Online',
    channel_floor: 'Floor',
    you_are: (p) => `Your bidder no. ${p.n}`,
    you_approved: 'approved to bid',
    watching: 'You are watching',
    why_login: 'Log in to bid',
    why_not_approved: 'Register and pay the deposit for this lot to bid',
    why_officer: 'Officers cannot bid; use the room console',
    why_staff: 'LED staff cannot bid',
    why_barred: 'This bidder is barred from bidding',
    result_sold: (p) => `Sold for ${p.price} to bidder no. ${p.n} (${p.c} bidder${p.c === 1 ? '' : 's'})`,
    result_passed: 'No bidder: not sold',
    result_suspended: (p) => `Suspended: ${p.reason}`,
    ann_lot_opened: (p) => `Lot ${lotName(p, 'en')} is open, starting at ${fmtBaht(p.lot.start_price)}`,
    ann_outbid: (p) => `You were outbid: ${fmtBaht(p.amount)}. Next valid bid ${fmtBaht(p.next_min)}`,
    ann_bid_accepted: (p) => `Your bid of ${fmtBaht(p.amount)} was accepted`,
    ann_floor_accepted: (p) => `Floor bid of ${fmtBaht(p.amount)} for paddle ${p.paddle} recorded`,
    ann_bid_rejected: (p) => `Bid rejected: ${L(p.message, 'en') || p.code}${p.min_amount ? ` (minimum ${fmtBaht(p.min_amount)})` : ''}`,
    ann_bid_failed: (p) => `Your bid did not go through: ${L(p.message, 'en') || p.code}. You can send it again`,
    ann_your_bid_undone: (p) => `Your bid of ${fmtBaht(p.amount)} was withdrawn by the officer: ${p.reason || ''}`,
    ann_leading_again: (p) => `You are the highest bidder again at ${fmtBaht(p.amount)}`,
    ann_count3: (p) => `Count three at ${fmtBaht(p.price)}`,
    ann_hammer: (p) => `Sold for ${fmtBaht(p.price)} to bidder no. ${p.bidder_no}`,
    ann_you_won: (p) => `Sold to you for ${fmtBaht(p.price)}`,
    ann_passed: 'No bidder: the lot was not sold',
    ann_suspended: (p) => `Sale suspended${suspendWords(p, 'en') ? `: ${suspendWords(p, 'en')}` : ''}`,
    ann_bid_undone: (p) => `The officer withdrew the bid of ${fmtBaht(p.amount)} by bidder no. ${p.bidder_no}: ${p.reason || ''}`,
    notice_bid_undone: (p) => `The officer withdrew the bid of ${p.amount} by bidder no. ${p.n}. Reason: ${p.reason}`,
    notice_your_bid_undone: (p) => `The officer withdrew your bid of ${p.amount}. Reason: ${p.reason}`,
    undone_tag: '(withdrawn)',
    last_bid_by: (p) => `Last bid by bidder no. ${p.n}`,
    clock: 'Time',
    closing: (p) => `The server closed the connection: ${p.message}`,
    queue: "Today's lots",
    queue_empty: 'No lots today',
    open_lot: 'Open',
    open_lot_label: (p) => `Open lot ${p.order}`,
    open_increment: 'Increment when opening (blank = default)',
    qstatus_scheduled: 'Scheduled',
    qstatus_sold: 'Sold',
    qstatus_no_bidder: 'No bidder',
    qstatus_suspended: 'Suspended',
    qstatus_withdrawn: 'Withdrawn',
    qstatus_cancelled: 'Cancelled',
    floor_bid: 'Floor bid',
    paddle: 'Paddle no.',
    amount: 'Amount (baht)',
    enter_floor: 'Enter floor bid',
    bad_paddle: 'Enter a paddle number',
    set_increment: 'Set increment',
    apply: 'Apply',
    counting: 'Count',
    count_n: (p) => `Count ${p.n}`,
    hammer: 'Hammer',
    hammer_confirm: (p) => `Sell for ${p.price} to bidder no. ${p.n}? This cannot be undone.`,
    pass: 'Pass (no bidder)',
    suspend: 'Suspend',
    suspend_code: 'Reason',
    suspend_text: 'Details',
    undo: 'Undo last bid',
    undo_reason: 'Reason (required)',
    reason_required: 'A reason is required',
    bid_stream: 'Bids',
    close_lot: 'Close the lot',
    officer_only: "This page is for this office's officers only",
    dismiss: 'Dismiss',
    reason_plaintiff_request: "Plaintiff's request",
    reason_court_order: 'Court order',
    reason_improper_notice: 'Improper notice',
    reason_party_died: 'A party died',
    reason_officer: "Officer's decision",
    reason_other: 'Other',
  },
};

export const SUSPEND_REASONS = [
  'plaintiff_request', 'court_order', 'improper_notice', 'party_died', 'officer', 'other',
];

// The chosen reason's words, then the officer's detail; an old event with only free text still reads.
function suspendWords(p, lang) {
  const label = p.reason_code ? (STRINGS[lang] || STRINGS.th)[`reason_${p.reason_code}`] : '';
  if (label && p.reason && p.reason !== label) return `${label} (${p.reason})`;
  return label || p.reason || '';
}

export function makeT(lang) {
  const dict = STRINGS[lang] || STRINGS.th;
  return (key, params = {}) => {
    const v = dict[key] ?? STRINGS.th[key];
    if (v == null) return key;
    return typeof v === 'function' ? v(params) : v;
  };
}
