// The room's client state: a pure reducer over the protocol's messages (docs/protocol.md).
// No DOM, no sockets, no clock reads: `now` (client ms) and key makers are passed in, so the
// same code runs in the browser and under `node --test`.

export const V = 1;

export function initialState() {
  return {
    lastSeq: 0,
    room: null,
    lot: null,
    queue: [],
    you: null,
    audience: 0,
    // Set when a join is sent; the next snapshot/replay then resends bids still without a receipt.
    joining: false,
    // A gap was seen: events are ignored until the snapshot/replay that follows the re-join.
    resyncing: false,
    clock: { offset: 0, rtt: null, samples: [] },
    pending: {}, // key -> {kind: 'bid'|'floor', amount, round_id, paddle?}
    lastReceipt: null,
  };
}

// Events that carry `seq` and go through the ordered path.
const ROOM_EVENTS = new Set([
  'lot_opened', 'increment_set', 'bid', 'bid_undone', 'count', 'hammer', 'passed', 'suspended',
]);

const announce = (level, key, params = {}) => ({ type: 'announce', level, key, params });
// Refusals that mean "nothing was recorded, send it again": the same key, a little later, a few times.
const RESENDABLE = new Set(['db_unavailable', 'internal']);
export const MAX_RESENDS = 3;
export const RESEND_MS = 1500;
const BID_REFS = { bid: 'bid', floor_bid: 'floor' };

function myNo(state) {
  return state.you && state.you.bidder_no != null ? state.you.bidder_no : null;
}

function patchQueue(queue, roundId, fields) {
  return queue.map((q) => (q.round_id === roundId ? { ...q, ...fields } : q));
}

function dropPendingOfRound(pending, roundId) {
  const out = {};
  for (const [k, p] of Object.entries(pending)) if (p.round_id !== roundId) out[k] = p;
  return out;
}

// A lot event for a round that is not the current lot only touches the queue.
function sameLot(state, ev) {
  return state.lot && (ev.round_id == null || ev.round_id === state.lot.round_id);
}

function applyEvent(state, ev) {
  const effects = [];
  const me = myNo(state);
  let s = { ...state, lastSeq: ev.seq };
  switch (ev.type) {
    case 'lot_opened': {
      const lot = { ...ev.lot, bids: ev.lot.bids || [], count_at: null };
      s.lot = lot;
      s.queue = patchQueue(s.queue, lot.round_id, { live_state: 'open' });
      effects.push(announce('polite', 'ann_lot_opened', { lot }));
      break;
    }
    case 'increment_set':
      if (sameLot(s, ev)) s.lot = { ...s.lot, increment: ev.increment, next_min: ev.next_min };
      break;
    case 'bid': {
      if (!sameLot(s, ev)) break;
      const wasLeading = me != null && s.lot.bidder_no === me;
      const bid = {
        bid_id: ev.bid_id, bidder_no: ev.bidder_no, amount: ev.amount,
        channel: ev.channel, at: ev.at, seq: ev.seq,
      };
      s.lot = {
        ...s.lot, bids: [...s.lot.bids, bid], price: ev.price, bidder_no: ev.bidder_no,
        next_min: ev.next_min, count: ev.count ?? 0, count_at: null, last_bid_at: ev.at, lastUndo: null,
      };
      if (wasLeading && ev.bidder_no !== me) {
        effects.push(announce('polite', 'ann_outbid', { amount: ev.price, next_min: ev.next_min }));
      }
      break;
    }
    case 'bid_undone': {
      if (!sameLot(s, ev)) break;
      const undone = s.lot.bids.find((b) => b.bid_id === ev.bid_id);
      s.lot = {
        ...s.lot,
        // The undone bid stays on the ladder, struck through: a bid that silently vanished looks like a fault.
        bids: s.lot.bids.map((b) => (b.bid_id === ev.bid_id ? { ...b, undone: true, undo_reason: ev.reason } : b)),
        price: ev.price, bidder_no: ev.bidder_no, next_min: ev.next_min,
        // The protocol resets the count on every new bid; an undo changes who leads, so recount.
        count: 0, count_at: null,
        lastUndo: { amount: undone ? undone.amount : null, bidder_no: undone ? undone.bidder_no : null, reason: ev.reason },
      };
      if (me != null && undone && undone.bidder_no === me) {
        effects.push(announce('polite', 'ann_your_bid_undone', { amount: undone.amount, reason: ev.reason }));
      } else if (me != null && ev.bidder_no === me) {
        effects.push(announce('polite', 'ann_leading_again', { amount: ev.price }));
      } else if (undone) {
        effects.push(announce('polite', 'ann_bid_undone', { amount: undone.amount, bidder_no: undone.bidder_no, reason: ev.reason }));
      }
      break;
    }
    case 'count':
      if (!sameLot(s, ev)) break;
      s.lot = { ...s.lot, count: ev.n, count_at: ev.at };
      if (ev.n === 3) effects.push(announce('polite', 'ann_count3', { price: s.lot.price }));
      break;
    case 'hammer': {
      if (!sameLot(s, ev)) break;
      s.lot = {
        ...s.lot, live_state: 'hammered', price: ev.price, bidder_no: ev.bidder_no,
        bidder_count: ev.bidder_count, ladder: ev.ladder || null, count: 3,
      };
      s.queue = patchQueue(s.queue, s.lot.round_id, { live_state: 'hammered', status: 'sold' });
      s.pending = dropPendingOfRound(s.pending, s.lot.round_id);
      const won = me != null && ev.bidder_no === me;
      effects.push(announce('polite', won ? 'ann_you_won' : 'ann_hammer', { price: ev.price, bidder_no: ev.bidder_no }));
      break;
    }
    case 'passed':
      if (!sameLot(s, ev)) break;
      s.lot = { ...s.lot, live_state: 'passed' };
      s.queue = patchQueue(s.queue, s.lot.round_id, { live_state: 'passed', status: 'no_bidder' });
      s.pending = dropPendingOfRound(s.pending, s.lot.round_id);
      effects.push(announce('polite', 'ann_passed', { lot: s.lot }));
      break;
    case 'suspended':
      if (!sameLot(s, ev)) break;
      s.lot = { ...s.lot, live_state: 'suspended', suspend_reason_code: ev.reason_code, suspend_reason: ev.reason };
      s.queue = patchQueue(s.queue, s.lot.round_id, { live_state: 'suspended', status: 'suspended' });
      s.pending = dropPendingOfRound(s.pending, s.lot.round_id);
      effects.push(announce('polite', 'ann_suspended', { reason: ev.reason, reason_code: ev.reason_code }));
      break;
    default:
      break;
  }
  return { state: s, effects };
}

// Applies one ordered event: duplicates are dropped, a gap asks for a re-join.
function applyOrdered(state, ev) {
  if (typeof ev.seq !== 'number' || ev.seq <= state.lastSeq) return { state, effects: [] };
  if (state.resyncing) return { state, effects: [] };
  if (ev.seq !== state.lastSeq + 1) {
    return { state: { ...state, resyncing: true }, effects: [{ type: 'rejoin', reason: 'gap' }] };
  }
  return applyEvent(state, ev);
}

function resendEffects(state) {
  const open = state.lot && state.lot.live_state === 'open';
  const messages = [];
  const kept = {};
  for (const [key, p] of Object.entries(state.pending)) {
    if (!open || p.round_id !== state.lot.round_id) continue; // that lot is gone: the bid cannot stand
    kept[key] = p;
    messages.push(pendingMessage(key, p));
  }
  return { pending: kept, effects: messages.length ? [{ type: 'send', messages }] : [] };
}

function pendingMessage(key, p) {
  const msg = p.kind === 'floor'
    ? { type: 'floor_bid', v: V, paddle: p.paddle, amount: p.amount, key }
    : { type: 'bid', v: V, amount: p.amount, key };
  if (p.confirm) msg.confirm = true;
  return msg;
}

function afterSync(state, effects) {
  let s = { ...state, resyncing: false };
  if (state.joining) {
    const r = resendEffects(s);
    s = { ...s, pending: r.pending, joining: false };
    effects = [...effects, ...r.effects];
  }
  return { state: s, effects };
}

function clockSample(clock, offset, rtt) {
  // Keep the offset from the quickest round trip of the last few: it has the least queueing error.
  const samples = [...clock.samples, { offset, rtt }].slice(-8);
  const best = samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
  return { offset: best.offset, rtt: best.rtt, samples };
}

/**
 * reduce(state, msg, now) -> {state, effects}
 * effects: {type:'announce', level:'polite'|'assertive', key, params}, {type:'rejoin'},
 * {type:'send', messages}, {type:'toast', code, message}, {type:'closing', code, message}.
 */
export function reduce(state, msg, now = 0) {
  if (!msg || typeof msg !== 'object') return { state, effects: [] };
  if (ROOM_EVENTS.has(msg.type) && 'seq' in msg) return applyOrdered(state, msg);
  switch (msg.type) {
    case 'snapshot': {
      let clock = state.clock;
      const st = Date.parse(msg.server_time);
      // A one-way sample (no round trip known): only until a pong gives a better one.
      if (!Number.isNaN(st) && clock.rtt == null) clock = { ...clock, offset: st - now };
      const lot = msg.lot ? { count_at: null, ...msg.lot, bids: msg.lot.bids || [] } : null;
      const s = {
        ...state, lastSeq: msg.seq, room: msg.room, lot, queue: msg.queue || [],
        you: msg.you || null, audience: msg.audience ?? state.audience, clock,
      };
      return afterSync(s, []);
    }
    case 'replay': {
      // The replay answers our join: apply it from a clean slate even if a gap was flagged.
      let s = { ...state, resyncing: false };
      let effects = [];
      for (const ev of msg.events || []) {
        const r = applyOrdered(s, ev);
        s = r.state;
        effects = effects.concat(r.effects);
      }
      // Catching up speaks once, with the latest thing that happened, not a burst.
      const ann = effects.filter((e) => e.type === 'announce');
      effects = effects.filter((e) => e.type !== 'announce').concat(ann.slice(-1));
      if (s.resyncing) return { state: s, effects };
      return afterSync(s, effects);
    }
    case 'you':
      return { state: { ...state, you: pickYou(msg) }, effects: [] };
    case 'audience':
      return { state: { ...state, audience: msg.count }, effects: [] };
    case 'pong': {
      const st = Date.parse(msg.server_time);
      if (typeof msg.t !== 'number' || Number.isNaN(st) || now < msg.t) return { state, effects: [] };
      const rtt = now - msg.t;
      return { state: { ...state, clock: clockSample(state.clock, st - (msg.t + now) / 2, rtt) }, effects: [] };
    }
    case 'receipt': {
      const p = state.pending[msg.key];
      const pending = { ...state.pending };
      delete pending[msg.key];
      const s = { ...state, pending, lastReceipt: { ...msg, mine: !!p, kind: p ? p.kind : null } };
      if (!p) return { state: s, effects: [] };
      if (msg.status === 'accepted') {
        return { state: s, effects: [announce('polite', p.kind === 'floor' ? 'ann_floor_accepted' : 'ann_bid_accepted', { amount: msg.amount ?? p.amount, paddle: p.paddle })] };
      }
      if (msg.code === 'confirm_required') {
        // Far above the price: the bid waits, same key, until the person says yes (confirmBid) or no.
        s.pending = { ...pending, [msg.key]: { ...p, stalled: true, asking: true } };
        return { state: s, effects: [{ type: 'confirm_bid', key: msg.key, kind: p.kind, amount: msg.amount ?? p.amount, ratio: msg.ratio }] };
      }
      if (RESENDABLE.has(msg.code) && (p.tries || 0) < MAX_RESENDS) {
        // Nothing was recorded (the database did not answer in time): send it again with its key,
        // so if it was recorded after all the server answers with the original receipt.
        const tries = (p.tries || 0) + 1;
        s.pending = { ...pending, [msg.key]: { ...p, tries } };
        return {
          state: s,
          effects: [{ type: 'resend', key: msg.key, delay: RESEND_MS * tries }, announce('polite', 'ann_bid_retrying', { amount: p.amount })],
        };
      }
      return {
        state: s,
        effects: [announce('assertive', 'ann_bid_rejected', { code: msg.code, message: msg.message, min_amount: msg.min_amount })],
      };
    }
    case 'error': {
      const effects = [{ type: 'toast', code: msg.code, message: msg.message, ref: msg.ref }];
      const kind = BID_REFS[msg.ref];
      if (!kind || !Object.values(state.pending).some((p) => p.kind === kind)) return { state, effects };
      // An error about a bid (internal, rate_limited...) carries no key and means no receipt will
      // come: stop waiting, but keep the key so sending the same bid again is recognised as a retry.
      const pending = {};
      for (const [k, p] of Object.entries(state.pending)) pending[k] = p.kind === kind ? { ...p, stalled: true } : p;
      effects.push(announce('assertive', 'ann_bid_failed', { code: msg.code, message: msg.message }));
      return { state: { ...state, pending }, effects };
    }
    case 'closing':
      return { state, effects: [{ type: 'closing', code: msg.code, message: msg.message }] };
    default:
      return { state, effects: [] };
  }
}

function pickYou(m) {
  return { role: m.role, user_id: m.user_id, bidder_no: m.bidder_no, can_bid: m.can_bid, reason: m.reason };
}

// --- commands: build outgoing messages, recording what waits for a receipt -----------------

export function joinMessage(state, token) {
  const msg = { type: 'join', v: V };
  if (state.lastSeq > 0) msg.last_seq = state.lastSeq;
  if (token) msg.token = token;
  return { state: { ...state, joining: true }, msg };
}

function pendingKey(state, match) {
  for (const [key, p] of Object.entries(state.pending)) {
    if (Object.keys(match).every((k) => p[k] === match[k])) return key;
  }
  return null;
}
// (The new entry replaces the old one, so a stalled bid sent again is waiting again.)

// Re-sending the same bid (same lot, same amount) before its receipt reuses the key, so the
// server can tell a retry from a second bid.
// `confirm`: the person already said yes to this amount (the page's own check asked them).
export function bidMessage(state, amount, newKey, confirm = false) {
  const roundId = state.lot ? state.lot.round_id : null;
  const p = { kind: 'bid', amount, round_id: roundId };
  const key = pendingKey(state, p) || newKey();
  const entry = confirm ? { ...p, confirm: true } : p;
  return { state: { ...state, pending: { ...state.pending, [key]: entry } }, msg: pendingMessage(key, entry) };
}

export function floorBidMessage(state, paddle, amount, newKey) {
  const roundId = state.lot ? state.lot.round_id : null;
  const p = { kind: 'floor', paddle, amount, round_id: roundId };
  const key = pendingKey(state, p) || newKey();
  return { state: { ...state, pending: { ...state.pending, [key]: p } }, msg: pendingMessage(key, p) };
}

// The message to send a pending bid again (a `resend` effect), or null if it is no longer waiting.
export function resendMessage(state, key) {
  const p = state.pending[key];
  if (!p || p.stalled || !state.lot || state.lot.round_id !== p.round_id || state.lot.live_state !== 'open') return null;
  return pendingMessage(key, p);
}

// The person said yes to a bid the server asked to confirm: the same key, now with confirm=true.
export function confirmBid(state, key) {
  const p = state.pending[key];
  if (!p || !p.asking) return { state, msg: null };
  const next = { ...p, confirm: true, stalled: false, asking: false };
  return { state: { ...state, pending: { ...state.pending, [key]: next } }, msg: pendingMessage(key, next) };
}

export function declineBid(state, key) {
  const pending = { ...state.pending };
  delete pending[key];
  return { ...state, pending };
}

// Waiting for a receipt (a stalled bid is not: the server said it failed, the user may retry).
export function hasPending(state, kind = 'bid') {
  return Object.values(state.pending).some((p) => p.kind === kind && !p.stalled);
}

// The bids that stand (an undone bid is shown, but no longer counts).
export function standingBids(lot) {
  return lot ? lot.bids.filter((b) => !b.undone) : [];
}

export function serverNow(state, now) {
  return now + state.clock.offset;
}
