// The sessions page: sessions started in a date range, per idTag and per charger, and their CSV export.
import { start, api, el, fill, notice, param, time, wattHours, chargerHref } from './app.js';

const form = document.getElementById('filter');
const csv = document.getElementById('csv');

/** The filter as query parameters: from/to as dates (UTC days, to inclusive), blanks left out. */
function query() {
  const q = new URLSearchParams();
  for (const name of ['from', 'to', 'idTag', 'chargePointId']) {
    const value = form.elements[name].value.trim();
    if (value) q.set(name, value);
  }
  return q.toString();
}

async function show() {
  const q = query();
  csv.href = '/api/sessions.csv' + (q ? '?' + q : '');
  history.replaceState(null, '', q ? '?' + q : location.pathname);
  const list = document.getElementById('list');
  try {
    const sessions = await api('/api/transactions' + (q ? '?' + q : ''));
    notice(null);
    const energy = sessions.filter((t) => t.meterStop !== undefined && t.meterStart !== undefined)
      .reduce((sum, t) => sum + (t.meterStop - t.meterStart), 0);
    document.getElementById('total').textContent = sessions.length + (sessions.length === 1 ? ' session, '
      : ' sessions, ') + wattHours(energy) + ' in finished ones';
    fill(list, sessions.length === 0 ? el('p', { class: 'empty' }, 'No sessions in this range.') : el('table', {},
      el('thead', {}, el('tr', {}, ['Id', 'Charger', 'Connector', 'idTag', 'Start', 'Stop', 'Energy', 'Stop reason']
        .map((h) => el('th', {}, h)))),
      el('tbody', {}, sessions.map((t) => el('tr', { 'data-transaction-id': t.transactionId },
        el('td', {}, t.transactionId), el('td', {}, el('a', { href: chargerHref(t.chargePointId) }, t.chargePointId)),
        el('td', {}, t.connectorId), el('td', {}, t.idTag || '–'), el('td', {}, time(t.startedAt)),
        el('td', {}, t.stoppedAt ? time(t.stoppedAt) : 'running'),
        el('td', {}, t.meterStop !== undefined && t.meterStart !== undefined ? wattHours(t.meterStop - t.meterStart)
          : '–'), el('td', {}, t.reason || (t.stoppedAt ? 'Local' : '')))))));
  } catch (e) {
    notice(e.status === 400 ? e.message : 'Cannot read the sessions: ' + e.message);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show();
});

await start('sessions');
for (const name of ['from', 'to', 'idTag', 'chargePointId']) {
  if (param(name)) form.elements[name].value = param(name);
}
try {
  const chargers = await api('/api/chargers');
  const select = form.elements.chargePointId;
  for (const c of chargers) select.append(el('option', { value: c.chargePointId }, c.chargePointId));
  if (param('chargePointId')) select.value = param('chargePointId');
} catch (e) {
  notice('Cannot read the chargers: ' + e.message);
}
await show();
