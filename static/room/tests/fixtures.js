// Protocol messages shaped as docs/protocol.md describes them.

export function lot(over = {}) {
  return {
    round_id: 11, lot_id: 5, round_no: 1, sale_order: '13-1', red_case: 'ผบ.1234/2563',
    property_type: '003', property_type_label: { th: 'ที่ดินพร้อมสิ่งปลูกสร้าง', en: 'Land with building' },
    title: { th: 'บ้านเดี่ยว บางนา', en: 'House, Bang Na' },
    appraisal: 2_000_000, start_price: 2_000_000, deposit: 150_000, increment: 10_000,
    live_state: 'open', price: null, bidder_no: null, count: 0, next_min: 2_000_000, bids: [],
    ...over,
  };
}

export function snapshot(over = {}) {
  return {
    type: 'snapshot', v: 1, seq: 10, server_time: '2026-11-23T03:00:00.000Z',
    room: { id: 1, office_id: 1, office: { th: 'สำนักงาน 1', en: 'Office 1' }, sale_date: '2026-11-23', status: 'open' },
    lot: lot(),
    queue: [
      { round_id: 11, lot_id: 5, sale_order: '13-1', red_case: 'ผบ.1234/2563', property_type: '003', start_price: 2_000_000, status: 'scheduled', live_state: 'open' },
      { round_id: 12, lot_id: 6, sale_order: '14', red_case: 'ผบ.99/2564', property_type: '002', start_price: 900_000, status: 'scheduled', live_state: 'idle' },
    ],
    you: { role: 'bidder', user_id: 7, bidder_no: 3, can_bid: true, reason: null },
    audience: 12,
    ...over,
  };
}

let seqAt = 0;
export function ev(type, seq, fields = {}) {
  seqAt += 1;
  return { type, v: 1, seq, at: `2026-11-23T03:00:${String(seqAt % 60).padStart(2, '0')}.000Z`, round_id: 11, ...fields };
}

export function bidEv(seq, bidder_no, amount, fields = {}) {
  return ev('bid', seq, {
    bid_id: 100 + seq, bidder_no, amount, channel: 'remote', price: amount,
    next_min: amount + 10_000, count: 0, ...fields,
  });
}
