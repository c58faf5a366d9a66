// Shared by every page: the logged-in user, calls to the API, live events, and building the DOM.
// Everything runs on the page's one JavaScript thread; state lives in module variables of each page.
// Data goes into the DOM as text only (el() never parses HTML).

let session = null; // {user, role, csrfToken}, set once by start()

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || attrs.svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'svg' || value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of a node. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** An error from the API: its HTTP status and the gateway's message. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Calls the API as the logged-in browser; a 401 sends the browser to the login page. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (session) headers['X-CSRF-Token'] = session.csrfToken;
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body)
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (response.status === 401 && path !== '/api/login') {
    toLogin();
    throw new ApiError(401, 'not logged in', data);
  }
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.error) || response.statusText, data);
  }
  return data;
}

function toLogin() {
  const here = location.pathname + location.search;
  location.assign('/ui/login.html?next=' + encodeURIComponent(here));
}

export const isOperator = () => session !== null && session.role === 'operator';

/** Reads who is logged in and draws the navigation bar; resolves with {user, role}. */
export async function start(current) {
  session = await api('/api/me');
  const links = [['index.html', 'Site', 'site'], ['sessions.html', 'Sessions', 'sessions'],
    ['diagnostics.html', 'Diagnostics', 'diagnostics']];
  const logout = el('button', { type: 'button', id: 'logout', class: 'link' }, 'Log out');
  logout.addEventListener('click', async () => {
    try { await api('/api/logout', { method: 'POST', body: {} }); } finally { location.assign('/ui/login.html'); }
  });
  fill(document.getElementById('bar'),
    el('nav', {}, links.map(([href, text, name]) =>
      el('a', { href, 'aria-current': name === current ? 'page' : null }, text))),
    el('span', { class: 'who', id: 'who' }, session.user + ' (' + session.role + ')'), logout);
  return session;
}

/** Shows a message in the page's alert region (or clears it with null). */
export function notice(text, kind = 'error') {
  const region = document.getElementById('notice');
  if (!region) return;
  region.className = text ? kind : '';
  region.textContent = text || '';
}

/**
 * Follows /api/events. handlers maps event names (STATUS_CHANGED, MEASUREMENT, ...) to functions of the
 * event's data. Events missed while the stream was down are not replayed: reload() reads the state again
 * after every reconnect, and once the stream is open.
 */
export function live(handlers, reload) {
  const source = new EventSource('/api/events');
  const state = document.getElementById('live');
  let down = false;
  source.addEventListener('open', () => {
    if (state) { state.textContent = 'live'; state.className = 'live on'; }
    if (down) reload();
    down = false;
  });
  source.addEventListener('error', () => {
    down = true;
    if (state) { state.textContent = 'reconnecting'; state.className = 'live off'; }
  });
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => handler(JSON.parse(event.data)));
  }
  return source;
}

// ---- units and times ----------------------------------------------------------------------------

export function watts(w) {
  if (w === null || w === undefined || Number.isNaN(w)) return '–';
  return Math.abs(w) >= 1000 ? (w / 1000).toFixed(1) + ' kW' : Math.round(w) + ' W';
}

export function wattHours(wh) {
  if (wh === null || wh === undefined || Number.isNaN(wh)) return '–';
  return Math.abs(wh) >= 1000 ? (wh / 1000).toFixed(2) + ' kWh' : Math.round(wh) + ' Wh';
}

export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function ago(iso) {
  if (!iso) return '–';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return time(iso);
}

// ---- meter values (OCPP 1.6 MeterValue) --------------------------------------------------------

function scaled(sample, unitK) {
  const v = Number(sample.value);
  return sample.unit === unitK ? v * 1000 : v;
}

/** The active import power in W of a MeterValue: the total, or the sum of its phases; null if none. */
export function powerOf(meterValue) {
  if (!meterValue) return null;
  const samples = meterValue.sampledValue.filter((s) => s.measurand === 'Power.Active.Import'
    && (s.format === undefined || s.format === 'Raw'));
  if (samples.length === 0) return null;
  const total = samples.find((s) => !s.phase);
  if (total) return scaled(total, 'kW');
  return samples.filter((s) => /^L\d$/.test(s.phase)).reduce((sum, s) => sum + scaled(s, 'kW'), 0);
}

/** The energy import register in Wh of a MeterValue (the measurand OCPP defaults to); null if none. */
export function registerOf(meterValue) {
  if (!meterValue) return null;
  const s = meterValue.sampledValue.find((v) => (v.measurand === undefined
    || v.measurand === 'Energy.Active.Import.Register') && !v.phase && (v.format === undefined || v.format === 'Raw'));
  return s ? scaled(s, 'kWh') : null;
}

/** A charger's power now: the sum over its connectors' newest meter values, or null when none says. */
export function chargerPower(charger) {
  const powers = charger.connectors.filter((c) => c.connectorId > 0)
    .map((c) => powerOf(c.latestMeterValue)).filter((p) => p !== null);
  return powers.length ? powers.reduce((a, b) => a + b, 0) : null;
}

/** Query parameters of the page. */
export const param = (name) => new URLSearchParams(location.search).get(name);

/** The charger page's address for an id. */
export const chargerHref = (id) => 'charger.html?id=' + encodeURIComponent(id);

/** The live events that carry a charger's new state (ChargerEvents topics). */
export const CHARGER_EVENTS = ['CONNECTED', 'DISCONNECTED', 'BOOTED', 'STATUS_CHANGED', 'TRANSACTION_STARTED',
  'TRANSACTION_STOPPED', 'METER_VALUES'];
