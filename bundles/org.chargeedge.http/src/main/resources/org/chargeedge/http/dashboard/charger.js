// A charger's page: its state, last problem, connectors with the operator's actions, meter values as a chart,
// its sessions, its configuration and its local list. Kept current by /api/events.
// State (owned by this page's one thread): the charger's newest snapshot, the meter series drawn, and the
// last problem seen on this page (a refusal, or an action that failed).
import { start, api, el, fill, live, notice, param, isOperator, watts, wattHours, time, ago, powerOf, registerOf,
  ApiError, CHARGER_EVENTS } from './app.js';
import { lineChart } from './chart.js';
import { meterHistory } from './meterhistory.js';
import * as explain from './explain.js';
import { trackBalance, refreshBalance, limitText, reasonText, modeControls } from './balance.js';

const id = param('id');
let charger = null;
let lastProblem = null; // {title, text, at}
const series = []; // [{t, v}] of power in W (or of the energy register while no power is reported)
let seriesIsPower = true;
const MAX_POINTS = 720;
const typed = new Map(); // connectorId -> the idTag typed, kept while events redraw the connectors

function addMeterValues(c) {
  addReadings(c.connectors.map((k) => ({ connectorId: k.connectorId, mv: k.latestMeterValue })));
}

/** readings: [{connectorId, mv: an OCPP MeterValue}], from the live snapshot or the stored history. */
function addReadings(readings) {
  for (const { connectorId, mv } of readings) {
    if (!mv || connectorId === 0) continue;
    const t = new Date(mv.timestamp).getTime();
    const p = powerOf(mv);
    const v = p !== null ? p : registerOf(mv);
    if (v === null || series.some((s) => s.t === t)) continue;
    if (p === null && seriesIsPower && series.length > 0) continue; // keep one quantity per chart
    if (p !== null && !seriesIsPower) series.length = 0;
    seriesIsPower = p !== null;
    series.push({ t, v });
  }
  series.sort((a, b) => a.t - b.t);
  if (series.length > MAX_POINTS) series.splice(0, series.length - MAX_POINTS);
}

async function load() {
  try {
    charger = await api('/api/chargers/' + encodeURIComponent(id));
    trackBalance([charger]);
  } catch (e) {
    if (e.status === 404) {
      fill(document.getElementById('overview'), el('p', { class: 'bad' }, 'No charger ' + id + ' has connected'
        + ' since the gateway started. If it tries, the Diagnostics page says why it was refused.'));
      await drawRefusal();
      return;
    }
    notice('Cannot read the charger: ' + e.message);
    return;
  }
  try {
    addReadings((await meterHistory(id)).map((mv) => ({ connectorId: mv.connectorId, mv })));
  } catch (e) {
    notice('Cannot read the stored meter values: ' + e.message);
  }
  addMeterValues(charger);
  drawAll();
  await Promise.all([drawRefusal(), drawSessions()]);
}

function drawAll() {
  drawOverview();
  drawConnectors();
  drawChart();
  drawProblem();
}

function drawOverview() {
  const c = charger;
  const boot = c.boot || {};
  const rows = [['State', c.state], ['Connected since', c.connected ? time(c.connectedSince) : '–'],
    ['Disconnected since', c.connected ? '–' : time(c.disconnectedSince)], ['Address', c.remoteAddress],
    ['Last seen', ago(c.lastSeen)], ['Vendor and model', c.boot ? boot.chargePointVendor + ' ' + boot.chargePointModel
      : 'unknown: no BootNotification yet'], ['Firmware', boot.firmwareVersion || '–'],
    ['Serial number', boot.chargePointSerialNumber || '–'], ['Booted', time(c.bootedAt)],
    ['Limit', limitText(c.chargePointId)], ['Why', reasonText(c.chargePointId)],
    ['Mode', modeControls(c.chargePointId, drawOverview)],
    ['Cloud link', !c.upstream ? 'no upstream link' : c.upstream.connected
      ? 'connected, ' + c.upstream.queueDepth + ' queued, ' + c.upstream.failed + ' parked'
      : 'down ' + ago(c.upstream.downSince) + (c.upstream.lastProblem ? ': ' + c.upstream.lastProblem : '')]];
  document.getElementById('title').textContent = c.chargePointId;
  document.title = c.chargePointId + ' · ChargeEdge';
  fill(document.getElementById('overview'), el('dl', { class: 'facts', id: 'facts' },
    rows.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v === null || v === undefined ? '–' : v)])));
}

async function drawRefusal() {
  try {
    const access = await api('/api/access');
    const mine = access.refusals.filter((r) => r.chargePointId === id);
    if (mine.length) {
      const r = mine[mine.length - 1];
      const words = explain.refusal(r.reason);
      problem('Last refused connection: ' + words.title, r.reason + ' (' + r.count + ' times, last ' + ago(r.lastAt)
        + ' from ' + r.remoteAddress + '). ' + words.hint, r.lastAt);
    }
  } catch (e) {
    // access control not running (503): nothing to say about refusals
  }
}

function problem(title, text, at) {
  if (lastProblem && at && lastProblem.at && new Date(lastProblem.at) > new Date(at)) return;
  lastProblem = { title, text, at: at || new Date().toISOString() };
  drawProblem();
}

function drawProblem() {
  const box = document.getElementById('problem');
  const faults = charger ? charger.connectors.filter((k) => explain.connectorError(k.errorCode)) : [];
  const items = faults.map((k) => el('p', { class: 'bad' }, (k.connectorId === 0 ? 'The charger' : 'Connector '
    + k.connectorId) + ' reports ' + k.errorCode + ': ' + explain.connectorError(k.errorCode)
    + (k.info ? ' (' + k.info + ')' : '') + (k.vendorErrorCode ? ', vendor code ' + k.vendorErrorCode : '') + '.'));
  if (charger && charger.connected && !charger.boot) {
    items.push(el('p', { class: 'warn' }, 'Connected but never booted: the charger opened its connection and sent'
      + ' no BootNotification. Restart it; if that does not help, its firmware does not speak OCPP 1.6 as it should.'));
  }
  if (lastProblem) {
    items.push(el('div', { class: 'problem', id: 'last-problem' }, el('h3', {}, lastProblem.title),
      el('p', {}, lastProblem.text), el('small', {}, time(lastProblem.at))));
  }
  fill(box, items.length ? [el('h2', {}, 'Problems'), items] : []);
}

function drawConnectors() {
  const box = document.getElementById('connectors');
  const focused = document.activeElement && document.activeElement.classList.contains('idtag')
    ? document.activeElement.dataset.connector : null;
  const connectors = charger.connectors.filter((k) => k.connectorId > 0);
  fill(box, el('h2', {}, 'Connectors'), connectors.length === 0 ? el('p', { class: 'empty' }, 'No status yet.')
    : connectors.map((k) => {
      const tx = charger.openTransactions.find((t) => t.connectorId === k.connectorId);
      const register = tx && registerOf(tx.latestMeterValue);
      return el('div', { class: 'connector-box', 'data-connector-id': k.connectorId },
        el('h3', {}, 'Connector ' + k.connectorId + ': ', el('span', { class: 'status' }, k.status || 'unknown')),
        el('p', {}, 'Power ' + watts(powerOf(k.latestMeterValue)) + ' · since ' + time(k.statusTimestamp)),
        tx ? el('p', { class: 'transaction', 'data-transaction-id': tx.transactionId }, 'Session ' + tx.transactionId
          + ' of ' + tx.idTag + ' since ' + time(tx.startedAt)
          + (register !== null && register !== undefined ? ', ' + wattHours(register - tx.meterStart) : '')) : null,
        isOperator() ? connectorActions(k, tx) : null);
    }));
  if (focused) box.querySelector('input.idtag[data-connector="' + focused + '"]')?.focus();
  drawActions();
}

/** Sends an OCPP call through the API and says what came of it. */
async function call(action, payload, button) {
  const out = document.getElementById('result');
  if (button) button.disabled = true;
  out.className = 'result';
  out.textContent = action + '…';
  try {
    const confirmation = await api('/api/chargers/' + encodeURIComponent(id) + '/calls/' + action,
      { method: 'POST', body: payload });
    const words = explain.answer(action, confirmation);
    out.className = 'result ' + (words.ok ? 'good' : 'bad');
    out.textContent = action + ': ' + words.text;
    if (!words.ok) problem(action + ' refused', words.text);
    return confirmation;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const text = explain.callFailure(e);
    out.className = 'result bad';
    out.textContent = action + ' failed: ' + text;
    problem(action + ' failed', text);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

function button(text, onClick, attrs = {}) {
  const b = el('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', () => onClick(b));
  return b;
}

function connectorActions(k, tx) {
  const c = k.connectorId;
  const idTag = el('input', { type: 'text', name: 'idTag', 'aria-label': 'idTag', placeholder: 'idTag', maxlength: 20,
    class: 'idtag', 'data-connector': c, value: typed.get(c) || '' });
  idTag.addEventListener('input', () => typed.set(c, idTag.value));
  const unavailable = k.status === 'Unavailable';
  return el('div', { class: 'actions' },
    tx ? button('Stop session', (b) => call('RemoteStopTransaction', { transactionId: tx.transactionId }, b),
      { class: 'stop' })
      : el('span', { class: 'start-form' }, idTag, button('Start session', (b) => {
        if (!idTag.value.trim()) { idTag.focus(); return; }
        call('RemoteStartTransaction', { connectorId: c, idTag: idTag.value.trim() }, b);
      }, { class: 'start' })),
    button('Unlock', (b) => call('UnlockConnector', { connectorId: c }, b), { class: 'unlock' }),
    button(unavailable ? 'Make available' : 'Make unavailable', (b) => call('ChangeAvailability',
      { connectorId: c, type: unavailable ? 'Operative' : 'Inoperative' }, b), { class: 'availability' }));
}

/** Actions on the whole charger (operators only; the API refuses them to viewers anyway). */
function drawActions() {
  const box = document.getElementById('actions');
  if (!isOperator()) { box.hidden = true; return; }
  box.hidden = false;
  if (box.childElementCount) return; // built once; the result line survives redraws
  const hard = button('Hard reset', (b) => {
    if (b.dataset.armed) {
      delete b.dataset.armed; b.textContent = 'Hard reset';
      call('Reset', { type: 'Hard' }, b);
    } else {
      b.dataset.armed = '1'; b.textContent = 'Confirm hard reset';
      setTimeout(() => { delete b.dataset.armed; b.textContent = 'Hard reset'; }, 5000);
    }
  }, { class: 'reset-hard' });
  fill(box, el('h2', {}, 'Charger'), el('div', { class: 'actions' },
    button('Soft reset', (b) => call('Reset', { type: 'Soft' }, b), { class: 'reset' }), hard,
    button('Whole charger unavailable', (b) => call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' },
      b)), button('Whole charger available', (b) => call('ChangeAvailability', { connectorId: 0, type: 'Operative' },
      b))), el('output', { id: 'result', class: 'result', 'aria-live': 'polite' }));
  drawConfiguration();
  drawLocalList();
}

function drawChart() {
  fill(document.getElementById('chart'), lineChart(series, seriesIsPower ? watts : wattHours,
    seriesIsPower ? 'Power' : 'Energy register'),
  el('p', { class: 'hint' }, (seriesIsPower ? 'Active power' : 'Energy register (the charger reports no power)')
    + ' over the last 24 hours from the stored meter values, then live.'));
}

async function drawSessions() {
  const box = document.getElementById('sessions');
  try {
    const sessions = await api('/api/transactions?chargePointId=' + encodeURIComponent(id));
    const recent = sessions.slice(-20).reverse();
    const csv = '/api/sessions.csv?chargePointId=' + encodeURIComponent(id);
    fill(box, recent.length === 0 ? el('p', { class: 'empty' }, 'No sessions yet.') : el('table', {},
      el('thead', {}, el('tr', {}, ['Id', 'idTag', 'Connector', 'Start', 'Stop', 'Energy'].map((h) => el('th', {}, h)))),
      el('tbody', {}, recent.map((t) => el('tr', {}, el('td', {}, t.transactionId), el('td', {}, t.idTag),
        el('td', {}, t.connectorId), el('td', {}, time(t.startedAt)), el('td', {}, t.stoppedAt ? time(t.stoppedAt)
          : 'running'), el('td', {}, t.meterStop !== undefined && t.meterStart !== undefined
          ? wattHours(t.meterStop - t.meterStart) : '–'))))),
    el('p', {}, el('a', { href: csv, download: id + '-sessions.csv' }, 'All sessions of this charger as CSV')));
  } catch (e) {
    fill(box, el('p', { class: 'empty' }, 'Sessions are not available: ' + e.message));
  }
}

function drawConfiguration() {
  const box = document.getElementById('configuration');
  const key = el('input', { type: 'text', name: 'key', 'aria-label': 'key', placeholder: 'key', maxlength: 50 });
  const value = el('input', { type: 'text', name: 'value', 'aria-label': 'value', placeholder: 'value',
    maxlength: 500 });
  const table = el('div', { id: 'config-table' });
  const rejected = el('ul', { id: 'config-rejected', class: 'bad' });
  fill(box, el('h2', {}, 'Configuration'),
    button('Read configuration', async (b) => {
      const answer = await call('GetConfiguration', {}, b);
      if (answer) drawConfigurationTable(table, answer, key, value);
    }, { id: 'read-config' }),
    table,
    el('form', { class: 'inline', id: 'change-config', on: { submit: async (event) => {
      event.preventDefault();
      if (!key.value.trim()) return;
      const answer = await call('ChangeConfiguration', { key: key.value.trim(), value: value.value });
      if (answer && answer.status !== 'Accepted') {
        rejected.append(el('li', {}, key.value.trim() + ' = ' + value.value + ': '
          + explain.answer('ChangeConfiguration', answer).text));
      }
    } } }, key, value, el('button', { type: 'submit' }, 'Change')), rejected);
}

function drawConfigurationTable(box, answer, key, value) {
  const rows = (answer.configurationKey || []).slice().sort((a, b) => a.key.localeCompare(b.key));
  fill(box, el('table', { class: 'config' }, el('tbody', {}, rows.map((k) => el('tr', {},
    el('td', {}, k.key), el('td', {}, k.value === undefined ? '(no value)' : k.value),
    el('td', {}, k.readonly ? 'read-only' : button('Edit', () => { key.value = k.key; value.value = k.value || '';
      value.focus(); })))))),
  (answer.unknownKey || []).length ? el('p', { class: 'bad' }, 'Keys the charger does not know: '
    + answer.unknownKey.join(', ')) : null);
}

function drawLocalList() {
  const box = document.getElementById('locallist');
  const out = el('p', { id: 'list-check' });
  fill(box, el('h2', {}, 'Local authorisation list'), button('Compare with the gateway', async (b) => {
    const [answer, list] = await Promise.all([call('GetLocalListVersion', {}, b),
      api('/api/authorization/list').catch((e) => ({ error: e.message }))]);
    if (!answer) return;
    if (list.error) { out.textContent = 'The gateway\'s list is not available: ' + list.error; return; }
    const wrong = explain.localList(answer.listVersion, list.version);
    out.className = wrong ? 'bad' : 'good';
    out.textContent = wrong || 'The charger holds the gateway\'s list (version ' + list.version + ').';
    if (wrong) problem('Local list differs', wrong);
  }, { id: 'check-list' }), button('Push the full list', async (b) => {
    b.disabled = true;
    try {
      const answer = await api('/api/authorization/push', { method: 'POST', body: { chargePointId: id } });
      const words = explain.answer('SendLocalList', answer);
      out.className = words.ok ? 'good' : 'bad';
      out.textContent = 'SendLocalList: ' + words.text;
      if (!words.ok) problem('Local list not stored', words.text);
    } catch (e) {
      out.className = 'bad';
      out.textContent = 'Push failed: ' + explain.callFailure(e);
    } finally {
      b.disabled = false;
    }
  }), out);
}

function chargerEvent(data) {
  if (data.chargePointId !== id || !data.charger) return;
  charger = data.charger;
  addMeterValues(charger);
  drawAll();
  if (data.transactionId !== undefined) drawSessions();
  refreshBalance(drawOverview);
}

if (!id) {
  notice('No charger named: open this page from the site page.');
} else {
  await start('site');
  await load();
  live(Object.fromEntries(CHARGER_EVENTS.map((name) => [name, chargerEvent])), load);
}
