// Pure helpers the pages decide with: amounts people type, what a bidder or the officer may do
// now, when to ask "are you sure?", how long to wait before reconnecting. No DOM.

const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

export function arabicDigits(text) {
  return String(text).replace(/[๐-๙]/g, (d) => String(THAI_DIGITS.indexOf(d)));
}

// '๑,๒๓๔,๐๐๐' / '1,234,000' / '฿ 1234000' -> 1234000; anything else (decimals, signs, empty) -> null.
export function parseAmount(text) {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : null;
  if (text == null) return null;
  const s = arabicDigits(text).replace(/[\s,฿]/g, '');
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

// A jump the bidder might not have meant: more than 3 increments, or 10%, above the minimum.
export function needsConfirm(amount, nextMin, increment) {
  if (amount == null || nextMin == null) return false;
  const over = amount - nextMin;
  return (increment > 0 && over > 3 * increment) || over > nextMin * 0.1;
}

// +k increments from what is in the box, never below the minimum.
export function stepAmount(current, nextMin, increment, k) {
  const base = current != null && current >= nextMin ? current : nextMin;
  return base + k * (increment || 0);
}

// Keep what the bidder typed while it is still a valid bid; otherwise offer the new minimum.
export function refillAmount(current, nextMin, edited) {
  if (nextMin == null) return current;
  if (!edited || current == null || current < nextMin) return nextMin;
  return current;
}

// Exponential backoff with jitter, 0.5 s doubling to 10 s; `rand` in [0,1) spreads a room's
// phones so they do not all come back in the same millisecond after a server restart.
export function backoffDelay(attempt, rand) {
  const cap = Math.min(10000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(cap / 2 + (cap / 2) * rand);
}

export const OFFICER_ROLES = new Set(['officer', 'admin']);

// `you.reason` codes (auction.registration.ELIGIBILITY and the protocol's rejection codes) -> why.
const WHY = {
  login_required: 'why_login',
  not_registered: 'why_not_approved',
  not_approved: 'why_not_approved',
  led_staff_cannot_bid: 'why_staff',
  conducting_officer_cannot_bid: 'why_staff',
  bidder_barred: 'why_barred',
};

// What the bidder's page may do: bid controls shown only to an approved bidder with a lot open.
export function bidderView(state) {
  const you = state.you;
  const lot = state.lot;
  const open = !!lot && lot.live_state === 'open';
  if (!you || !you.can_bid) {
    let why = you ? WHY[you.reason] || null : 'why_login';
    if (you && OFFICER_ROLES.has(you.role)) why = 'why_officer';
    else if (you && !you.user_id) why = 'why_login';
    // With no lot open there is nothing to be approved for yet: say nothing rather than guess.
    else if (why == null) why = open ? 'why_not_approved' : null;
    return { mode: 'spectator', why, open };
  }
  const leading = lot && lot.bidder_no != null && lot.bidder_no === you.bidder_no;
  return { mode: 'bidder', open, leading, canSend: open && !leading };
}

// Officer console: which controls are live right now.
export function officerView(state) {
  const lot = state.lot;
  const open = !!lot && lot.live_state === 'open';
  const hasBids = open && lot.price != null;
  const count = open ? lot.count || 0 : 0;
  return {
    open,
    anotherOpen: open,
    canOpen: (q) => !open && q.status === 'scheduled' && q.live_state !== 'open',
    // Counting only makes sense over a standing bid; with none the officer passes.
    nextCount: hasBids && count < 3 ? count + 1 : null,
    canHammer: open && hasBids && count === 3,
    canPass: open && !hasBids,
    canUndo: open && hasBids,
    canSuspend: open,
    canFloor: open,
    canSetIncrement: open,
  };
}
