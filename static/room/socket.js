// The live connection: one WebSocket, re-opened with backoff, feeding the pure reducer.
// Everything the browser provides comes in through `env`, so node --test can drive it.

import { backoffDelay } from './rules.js';
import {
  bidMessage, confirmBid, declineBid, floorBidMessage, initialState, joinMessage, reduce, resendMessage, V,
} from './state.js';

const PING_MS = 20000;
// Two pings without any answer: the socket is dead even if the phone has not noticed yet.
const SILENT_MS = 45000;
// Refusals that a retry cannot fix (wrong origin, no such room): stop and say so.
const FINAL_CLOSE = new Set([4003, 4404]);

export function browserEnv() {
  return {
    WebSocket: globalThis.WebSocket,
    setTimeout: globalThis.setTimeout.bind(globalThis),
    clearTimeout: globalThis.clearTimeout.bind(globalThis),
    setInterval: globalThis.setInterval.bind(globalThis),
    clearInterval: globalThis.clearInterval.bind(globalThis),
    now: () => Date.now(),
    random: Math.random,
    uuid: () => globalThis.crypto.randomUUID(),
    isOnline: () => globalThis.navigator.onLine !== false,
    onNetwork: (fn) => {
      globalThis.addEventListener('online', () => fn(true));
      globalThis.addEventListener('offline', () => fn(false));
    },
  };
}

export function wsUrl(path, loc = globalThis.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}`;
}

/**
 * createRoom({url, env, onChange(state, status), onEffect(effect)}) -> {start, stop, send, bid,
 * floorBid, state(), status()}. status: connecting | live | reconnecting | offline | closed.
 */
export function createRoom({ url, env, onChange = () => {}, onEffect = () => {} }) {
  let state = initialState();
  let status = 'connecting';
  let ws = null;
  let attempt = 0;
  let retryTimer = null;
  let pingTimer = null;
  let lastHeard = 0;
  let stopped = false;

  const changed = () => onChange(state, status);
  const setStatus = (s) => {
    if (s !== status) {
      status = s;
      changed();
    }
  };

  function rawSend(msg) {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(msg));
      return true;
    }
    return false;
  }

  function dispatch(msg) {
    const r = reduce(state, msg, env.now());
    state = r.state;
    if (msg.type === 'snapshot' || msg.type === 'replay') {
      attempt = 0; // only a completed sync proves the server is really back
      setStatus('live');
    }
    changed();
    for (const e of r.effects) {
      if (e.type === 'send') e.messages.forEach(rawSend);
      else if (e.type === 'rejoin') reopen();
      else if (e.type === 'resend') {
        env.setTimeout(() => {
          const m = resendMessage(state, e.key); // still waiting, same lot: same key again
          if (m) rawSend(m);
        }, e.delay);
      }
      onEffect(e);
    }
  }

  function open() {
    if (stopped) return;
    env.clearTimeout(retryTimer);
    retryTimer = null;
    let sock;
    try {
      sock = new env.WebSocket(url);
    } catch {
      scheduleRetry();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      if (sock !== ws) return;
      lastHeard = env.now();
      const j = joinMessage(state);
      state = j.state;
      rawSend(j.msg);
      env.clearInterval(pingTimer);
      pingTimer = env.setInterval(() => {
        if (env.now() - lastHeard > SILENT_MS) {
          reopen();
          return;
        }
        rawSend({ type: 'ping', v: V, t: env.now() });
      }, PING_MS);
    };
    sock.onmessage = (e) => {
      if (sock !== ws) return;
      lastHeard = env.now();
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      dispatch(msg);
    };
    sock.onclose = (e) => {
      if (sock !== ws) return;
      ws = null;
      env.clearInterval(pingTimer);
      if (stopped) return;
      if (FINAL_CLOSE.has(e && e.code)) {
        setStatus('closed');
        return;
      }
      scheduleRetry();
    };
    sock.onerror = () => {}; // a close event always follows
  }

  function scheduleRetry() {
    if (stopped || retryTimer) return;
    setStatus(env.isOnline() ? 'reconnecting' : 'offline');
    const delay = backoffDelay(attempt, env.random());
    attempt += 1;
    retryTimer = env.setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  }

  // Drop this socket and start a fresh one at once (gap, dead socket, network back).
  function reopen() {
    const old = ws;
    ws = null;
    env.clearInterval(pingTimer);
    if (old) {
      old.onclose = null;
      try {
        old.close(4000, 'resync');
      } catch {
        /* already closing */
      }
    }
    setStatus(env.isOnline() ? 'reconnecting' : 'offline');
    open();
  }

  env.onNetwork((online) => {
    if (stopped) return;
    if (online) {
      if (!ws || ws.readyState !== 1) {
        attempt = 0;
        env.clearTimeout(retryTimer);
        retryTimer = null;
        reopen();
      }
    } else {
      setStatus('offline');
    }
  });

  return {
    start() {
      open();
    },
    stop() {
      stopped = true;
      env.clearTimeout(retryTimer);
      env.clearInterval(pingTimer);
      if (ws) ws.close(1000, 'bye');
    },
    send: rawSend,
    bid(amount, confirm = false) {
      const r = bidMessage(state, amount, env.uuid, confirm);
      state = r.state;
      changed();
      rawSend(r.msg);
      return r.msg;
    },
    floorBid(paddle, amount) {
      const r = floorBidMessage(state, paddle, amount, env.uuid);
      state = r.state;
      changed();
      rawSend(r.msg);
      return r.msg;
    },
    confirmBid(key) {
      const r = confirmBid(state, key);
      state = r.state;
      changed();
      if (r.msg) rawSend(r.msg);
      return r.msg;
    },
    declineBid(key) {
      state = declineBid(state, key);
      changed();
    },
    state: () => state,
    status: () => status,
    // For tests and the page's "x s ago" clock.
    dispatch,
  };
}
