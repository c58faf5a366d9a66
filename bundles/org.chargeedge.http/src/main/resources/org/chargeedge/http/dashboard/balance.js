// The load balancer on the dashboard: each connector's limit, the reason in words, and its mode (operators may
// change it). Its own module so the pages only call a few functions.
// State (owned by the page's one thread): the balancer's rows per charger, replaced whole by each read of
// /api/chargers; absent when the gateway runs no load balancing.
import { api, el, isOperator, notice, time } from './app.js';

const rows = new Map(); // chargePointId -> [{connectorId, limitA, reasonKind, reason, mode, modeOrigin, control,
//                                            departure, energyNeededKWh, energyTargetKWh}]
export const MODES = ['Fast', 'PV', 'MinPV', 'Scheduled', 'Off'];
// The Scheduled forms open on this page, kept while events redraw it: "CP/N" -> {departure (the input's local
// "YYYY-MM-DDTHH:MM"), energy (the input's text), busy (a request in flight), sent (taken: closes at the next read)}
const drafts = new Map();
const MAX_ENERGY_KWH = 200; // the API's limit (BalancerController.MAX_TARGET_WH)
const ENERGY_REFUSED = 'the energy target must be above 0 and at most ' + MAX_ENERGY_KWH + ' kWh';
const REFRESH_MS = 2000;
let refreshAt = 0;
let timer = null;

/** Keeps the balancer's rows of the chargers as GET /api/chargers (or /api/chargers/ID) shows them. */
export function trackBalance(chargers) {
  for (const c of chargers) {
    if (Array.isArray(c.balancer)) rows.set(c.chargePointId, c.balancer);
    else rows.delete(c.chargePointId);
    for (const [key, draft] of drafts) {
      if (draft.sent && key.startsWith(c.chargePointId + '/')) drafts.delete(key);
    }
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

// ---- modes ---------------------------------------------------------------------------------------

const two = (n) => String(n).padStart(2, '0');

/** A Date as a datetime-local input's value, in the browser's time zone (toISOString would give UTC). */
function localInput(d) {
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + 'T' + two(d.getHours()) + ':'
    + two(d.getMinutes());
}

/** A datetime-local value read as the browser's local time; null when it is not one. */
function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '');
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The next 07:00 at least an hour ahead: today's before 06:00, else tomorrow's. */
function defaultDeparture(now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 7, 0);
  if (d.getTime() - now.getTime() < 3600_000) d.setDate(d.getDate() + 1);
  return localInput(d);
}

const kwh = (v) => (Math.round(v * 10) / 10) + ' kWh';

/** What the balancer says of a Scheduled session: its departure and the energy it still needs. */
function scheduledText(k) {
  if (k.mode !== 'Scheduled') return '';
  if (!k.departure) return 'departure and energy show once its session runs';
  const needed = k.energyNeededKWh === undefined || k.energyNeededKWh === null ? ''
    : ', ' + kwh(k.energyNeededKWh) + ' still needed';
  return 'leaves ' + time(k.departure) + needed;
}

/**
 * Each connector's mode: text for viewers, a choice for operators that sets the session's (or next) mode.
 * Scheduled opens a form for the departure and the energy; {@code redraw} draws the page's part again (the form
 * lives in {@code drafts}, so a redraw by an event keeps what was typed and where the focus was).
 */
export function modeControls(chargePointId, redraw) {
  const r = rows.get(chargePointId);
  if (!r || r.length === 0) return '–';
  // the page puts the new controls in place of the old ones after this returns: the focus follows then
  const focused = focusWanted || (document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.focusKey : undefined);
  if (focused && focused.startsWith(chargePointId + '/')) queueMicrotask(() => focusOn(focused));
  return r.map((k) => {
    const label = r.length > 1 ? '#' + k.connectorId + ' ' : '';
    const scheduled = scheduledText(k);
    if (!isOperator()) return el('span', { class: 'mode' }, label + k.mode + (scheduled ? ': ' + scheduled : ''));
    const key = chargePointId + '/' + k.connectorId;
    const draft = drafts.get(key);
    const shown = draft ? 'Scheduled' : k.mode;
    const select = el('select', { class: 'mode', 'aria-label': 'mode of connector ' + k.connectorId,
      'data-connector-id': k.connectorId, 'data-focus-key': key + '/mode', disabled: draft && draft.busy },
    (MODES.includes(shown) ? MODES : [...MODES, shown]).map((m) => el('option',
      { value: m, selected: m === shown }, m)));
    select.addEventListener('change', () => {
      if (select.value === 'Scheduled') {
        openDraft(key, k, redraw, 'departure');
      } else {
        drafts.delete(key);
        select.parentNode.querySelector('form.scheduled')?.remove();
        setMode(chargePointId, k.connectorId, select, redraw);
      }
    });
    return el('div', { class: 'mode-row', 'data-connector-id': k.connectorId }, label, select,
      draft ? scheduledForm(chargePointId, k, draft, redraw)
        : scheduled ? el('span', { class: 'scheduled-now' }, ' ', scheduled, ' ',
          el('button', { type: 'button', class: 'secondary change-scheduled', 'data-focus-key': key + '/change',
            'aria-label': 'change the departure and energy of connector ' + k.connectorId,
            on: { click: () => openDraft(key, k, redraw, 'departure') } }, 'Change')) : null);
  });
}

/**
 * Opens the Scheduled form of a connector: its departure and energy target as the balancer has them, else the next
 * 07:00 and no energy. The target is the one set, not what is still needed: Apply without touching it keeps it. It
 * is given unrounded, so a target set elsewhere with more decimals than the input's step is not changed either.
 */
function openDraft(key, k, redraw, focus) {
  if (!drafts.has(key)) {
    const scheduled = k.mode === 'Scheduled';
    const known = scheduled && k.departure && new Date(k.departure) > new Date();
    const target = scheduled && typeof k.energyTargetKWh === 'number' ? String(k.energyTargetKWh) : '';
    drafts.set(key, { departure: known ? localInput(new Date(k.departure)) : defaultDeparture(), energy: target });
  }
  draw(redraw, key + '/' + focus);
}

let focusWanted = null; // the control draw() puts the focus on, while it redraws

/** Draws the page again and puts the focus on the control with this key. */
function draw(redraw, focusKey) {
  focusWanted = focusKey;
  try {
    if (redraw) redraw();
  } finally {
    focusWanted = null;
  }
  focusOn(focusKey);
}

function focusOn(focusKey) {
  const n = [...document.querySelectorAll('[data-focus-key]')].find((e) => e.dataset.focusKey === focusKey);
  if (n && n !== document.activeElement) n.focus();
}

function scheduledForm(chargePointId, k, draft, redraw) {
  const key = chargePointId + '/' + k.connectorId;
  const n = k.connectorId;
  const hint = k.mode === 'Scheduled' && k.energyNeededKWh !== undefined && k.energyNeededKWh !== null
    ? 'Now ' + kwh(k.energyNeededKWh) + ' still needed. ' : '';
  const departure = el('input', { type: 'datetime-local', class: 'departure', name: 'departure', required: true,
    min: localInput(new Date()), value: draft.departure, 'data-focus-key': key + '/departure',
    'aria-label': 'departure of connector ' + n + ' (local time)', disabled: draft.busy || draft.sent,
    'aria-invalid': draft.invalid === 'departure' ? 'true' : null,
    'aria-describedby': draft.invalid === 'departure' ? 'notice' : null,
    on: { input: (e) => { draft.departure = e.target.value; } } });
  const energy = el('input', { type: 'number', class: 'energy', name: 'energyKWh', required: true, min: 0.1,
    max: MAX_ENERGY_KWH, step: 0.1, inputmode: 'decimal', value: draft.energy, 'data-focus-key': key + '/energy',
    'aria-label': 'energy for the session on connector ' + n + ', kWh', disabled: draft.busy || draft.sent,
    'aria-invalid': draft.invalid === 'energy' ? 'true' : null,
    'aria-describedby': draft.invalid === 'energy' ? 'notice' : null,
    on: { input: (e) => { draft.energy = e.target.value; } } });
  const form = el('form', { class: 'scheduled', novalidate: true, 'data-connector-id': n,
    'aria-label': 'Scheduled charging of connector ' + n },
  el('label', { class: 'departure-field' }, el('span', {}, 'Departure'), departure),
  el('label', { class: 'energy-field' }, el('span', {}, 'Energy, kWh'), energy),
  el('button', { type: 'submit', class: 'apply-scheduled', 'data-focus-key': key + '/apply',
    disabled: draft.busy || draft.sent }, draft.busy ? 'Applying…' : draft.sent ? 'Applied' : 'Apply'),
  el('button', { type: 'button', class: 'secondary cancel-scheduled', 'data-focus-key': key + '/cancel',
    disabled: draft.busy || draft.sent, on: { click: () => { drafts.delete(key); draw(redraw, key + '/mode'); } } },
  'Cancel'),
  el('p', { class: 'hint' }, hint + 'Energy: the session\'s whole target, counted from its start. Departure: in'
    + ' this browser\'s time zone.'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    applyScheduled(chargePointId, n, draft, redraw);
  });
  return form;
}

/** Checks the form as the balancer would, then sets Scheduled; refusals of either say why in the notice. */
async function applyScheduled(chargePointId, connectorId, draft, redraw) {
  const key = chargePointId + '/' + connectorId;
  const leaves = fromLocalInput(draft.departure);
  const energy = draft.energy.trim() === '' ? NaN : Number(draft.energy);
  let refused = null;
  draft.invalid = null;
  if (!leaves) {
    refused = 'enter the departure: a date and a time';
    draft.invalid = 'departure';
  } else if (leaves <= new Date()) {
    refused = 'the departure time ' + leaves.toLocaleString() + ' is not in the future';
    draft.invalid = 'departure';
  } else if (!(energy > 0 && energy <= MAX_ENERGY_KWH)) {
    refused = ENERGY_REFUSED;
    draft.invalid = 'energy';
  }
  if (refused) {
    notice('Mode not set: ' + refused);
    draw(redraw, key + '/' + draft.invalid);
    return;
  }
  draft.busy = true;
  draw(redraw, key + '/apply');
  try {
    await api('/api/chargers/' + encodeURIComponent(chargePointId) + '/connectors/' + connectorId + '/mode',
      { method: 'PUT', body: { mode: 'Scheduled', departure: leaves.toISOString(), energyKWh: energy } });
    draft.sent = true;
    notice(chargePointId + ' #' + connectorId + ': Scheduled, ' + kwh(energy) + ' by ' + leaves.toLocaleString()
      + ' (the balancer applies it at its next run)', 'good');
    refreshBalance(redraw);
  } catch (e) {
    notice('Mode not set: ' + e.message);
  } finally {
    draft.busy = false;
    draw(redraw, key + (draft.sent ? '/mode' : '/apply'));
  }
}

async function setMode(chargePointId, connectorId, select, redraw) {
  select.disabled = true;
  try {
    await api('/api/chargers/' + encodeURIComponent(chargePointId) + '/connectors/' + connectorId + '/mode',
      { method: 'PUT', body: { mode: select.value } });
    notice(chargePointId + ' #' + connectorId + ': ' + select.value + ' (the balancer applies it at its next run)', 'good');
    if (redraw) refreshBalance(redraw);
  } catch (e) {
    notice('Mode not set: ' + e.message);
  } finally {
    select.disabled = false;
  }
}
