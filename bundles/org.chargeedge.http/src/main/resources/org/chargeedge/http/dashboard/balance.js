// The load balancer on the dashboard: each connector's limit, the reason in words, and its mode (operators may
// change it). Its own module so the pages only call a few functions.
// State (owned by the page's one thread): the balancer's rows per charger, replaced whole by each read of
// /api/chargers; absent when the gateway runs no load balancing.
import { api, el, isOperator, notice } from './app.js';

const rows = new Map(); // chargePointId -> [{connectorId, limitA, reasonKind, reason, mode, modeOrigin, control}]
export const MODES = ['Fast', 'PV', 'MinPV', 'Off'];
const REFRESH_MS = 2000;
let refreshAt = 0;
let timer = null;

/** Keeps the balancer's rows of the chargers as GET /api/chargers (or /api/chargers/ID) shows them. */
export function trackBalance(chargers) {
  for (const c of chargers) {
    if (Array.isArray(c.balancer)) rows.set(c.chargePointId, c.balancer);
    else rows.delete(c.chargePointId);
  }
}

/**
 * Reads the balancer's decisions again after a charger or energy event, at most every 2 s (the balancer decides
 * within a fraction of a second of the event; it sends no event of its own), then calls {@code redraw}.
 */
export function refreshBalance(redraw) {
  if (timer !== null) return;
  timer = setTimeout(async () => {
    timer = null;
    refreshAt = Date.now();
    try {
      trackBalance(await api('/api/chargers'));
      redraw();
    } catch (e) {
      // the next event tries again; the page's own reads report errors
    }
  }, Math.max(300, refreshAt + REFRESH_MS - Date.now()));
}

const amps = (a) => a.toFixed(1) + ' A';

/** The limit per connector in use, or what says there is none. */
export function limitText(chargePointId) {
  const r = rows.get(chargePointId);
  if (!r) return 'none set by the gateway';
  if (r.length === 0) return 'no connector yet';
  return r.map((k) => (r.length > 1 ? '#' + k.connectorId + ' ' : '') + amps(k.limitA)).join(', ');
}

const CONTROL = {
  IGNORES_LIMIT: 'the charger does not follow its limit: counted at what it draws',
  NO_PROFILES: 'the charger takes no charging profiles: counted at what it draws',
  OFFLINE: 'offline: counted at its last limit'
};

/** Why each connector gets its limit, in the balancer's words, and whether the charger follows it. */
export function reasonText(chargePointId) {
  const r = rows.get(chargePointId);
  if (!r || r.length === 0) return '–';
  return r.map((k) => (r.length > 1 ? '#' + k.connectorId + ' ' : '') + k.reason
    + (CONTROL[k.control] ? ' (' + CONTROL[k.control] + ')' : '')).join('; ');
}

/** Each connector's mode: text for viewers, a choice for operators that sets the session's (or next) mode. */
export function modeControls(chargePointId) {
  const r = rows.get(chargePointId);
  if (!r || r.length === 0) return '–';
  return r.map((k) => {
    const label = r.length > 1 ? '#' + k.connectorId + ' ' : '';
    if (!isOperator()) return el('span', { class: 'mode' }, label + k.mode);
    const select = el('select', { class: 'mode', 'aria-label': 'mode of connector ' + k.connectorId,
      'data-connector-id': k.connectorId },
    (MODES.includes(k.mode) ? MODES : [...MODES, k.mode]).map((m) => el('option',
      { value: m, selected: m === k.mode }, m)));
    select.addEventListener('change', () => setMode(chargePointId, k.connectorId, select));
    return el('span', {}, label, select);
  });
}

async function setMode(chargePointId, connectorId, select) {
  select.disabled = true;
  try {
    await api('/api/chargers/' + encodeURIComponent(chargePointId) + '/connectors/' + connectorId + '/mode',
      { method: 'PUT', body: { mode: select.value } });
    notice(chargePointId + ' #' + connectorId + ': ' + select.value + ' (the balancer applies it at its next run)', 'good');
  } catch (e) {
    notice('Mode not set: ' + e.message);
  } finally {
    select.disabled = false;
  }
}
