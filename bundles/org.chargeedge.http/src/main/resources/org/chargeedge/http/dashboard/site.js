// The site page: energy flow, the site's state, and a card per charger, kept current by /api/events.
// State (owned by this page's one thread): the chargers by id and the energy measurements by key, each
// replaced whole when the API or an event brings a newer snapshot.
import { start, api, el, fill, live, notice, watts, ago, chargerPower, chargerHref, ApiError,
  CHARGER_EVENTS } from './app.js';
import { connectorError } from './explain.js';
import { trackBalance, refreshBalance, limitText, reasonText, modeControls } from './balance.js';

const chargers = new Map(); // chargePointId -> ChargerInfo as GET /api/chargers/ID shows it
const cards = new Map(); // chargePointId -> its card's element, so an event redraws one card
const energy = new Map(); // "meter/quantity/phase" -> Measurement
let energyAvailable = true;
let siteState = null;

const keyOf = (key) => [typeof key.meter === 'object' ? key.meter.name : key.meter, key.quantity, key.phase].join('/');

async function load() {
  try {
    const [list, site] = await Promise.all([api('/api/chargers'), api('/api/site')]);
    chargers.clear();
    for (const c of list) chargers.set(c.chargePointId, c);
    trackBalance(list);
    siteState = site;
    energy.clear();
    energyAvailable = Array.isArray(site.energy);
    for (const m of site.energy || []) energy.set(keyOf(m.key), m);
    notice(null);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    notice('Cannot read the site: ' + e.message);
  }
  drawEnergy();
  drawSummary();
  drawCards();
}

function measured(meter) {
  const m = energy.get(meter + '/POWER/TOTAL');
  if (!m) return { text: 'no meter', stale: true };
  const fresh = m.timing !== 'AGE_UNKNOWN'
    && Date.now() <= new Date(m.measuredAt).getTime() + durationMs(m.staleAfter);
  return { value: m.value, text: watts(m.value), stale: !fresh, source: m.source };
}

/** An ISO-8601 duration as Java prints it (PT30S, PT1M30S, PT0.5S) in ms. */
function durationMs(d) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(d || '');
  return m ? ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000 : 0;
}

function node(id, label, m, note) {
  return el('div', { class: 'node' + (m.stale ? ' stale' : ''), id },
    el('span', { class: 'label' }, label), el('strong', {}, m.text),
    el('small', {}, m.stale && m.text !== 'no meter' ? 'stale' : note || ''));
}

function drawEnergy() {
  const box = document.getElementById('energy');
  const powers = [...chargers.values()].map(chargerPower).filter((p) => p !== null);
  const charging = { value: powers.reduce((a, b) => a + b, 0), stale: false };
  charging.text = powers.length ? watts(charging.value) : '–';
  if (!energyAvailable) {
    fill(box, node('flow-chargers', 'Chargers', charging, powers.length + ' reporting power'),
      el('p', { class: 'empty' }, 'No energy inputs (the energy model is not running: no grid meter, PV or battery'
        + ' configured).'));
    return;
  }
  const grid = measured('grid');
  if (grid.value !== undefined) grid.text += grid.value < 0 ? ' export' : ' import';
  const battery = measured('battery');
  if (battery.value !== undefined) battery.text += battery.value < 0 ? ' discharging' : ' charging';
  fill(box, node('flow-grid', 'Grid', grid), node('flow-pv', 'PV', measured('pv')),
    node('flow-battery', 'Battery', battery), node('flow-chargers', 'Chargers', charging,
      powers.length + ' reporting power'));
}

function drawSummary() {
  const box = document.getElementById('summary');
  if (!siteState) return;
  const connected = [...chargers.values()].filter((c) => c.connected).length;
  const open = [...chargers.values()].reduce((n, c) => n + c.openTransactions.length, 0);
  const r = siteState.readiness;
  const parts = [el('span', { id: 'count' }, connected + ' of ' + chargers.size + ' chargers connected'),
    el('span', {}, open + ' charging sessions')];
  parts.push(r && !r.ready
    ? el('span', { class: 'bad' }, 'not ready: waiting for ' + r.missing.join(', '))
    : el('span', { class: 'good' }, 'site ready'));
  if (siteState.upstream) {
    const u = siteState.upstream;
    parts.push(el('span', { class: u.connected < u.links ? 'bad' : 'good' },
      'cloud: ' + u.connected + ' of ' + u.links + ' links up' + (u.queued ? ', ' + u.queued + ' queued' : '')));
  }
  // chargers not back since the gateway started, still counted by the balancer (they have no card yet)
  const notBack = (siteState.balancer && siteState.balancer.notReconnected) || [];
  if (notBack.length) {
    parts.push(el('span', { class: 'warn', id: 'not-back' }, 'not back since the gateway started: '
      + notBack.map((r) => r.chargePointId + '/' + r.connectorId + ', ' + r.reason).join('; ')));
  }
  fill(box, parts);
}

function drawCards() {
  const box = document.getElementById('chargers');
  if (chargers.size === 0) {
    fill(box, el('p', { class: 'empty' }, 'No charger has connected since the gateway started. Point a charger at'
      + ' ws://THIS-GATEWAY:9000/ocpp/CHARGE_POINT_ID; refused attempts show under Diagnostics.'));
    return;
  }
  cards.clear();
  fill(box, [...chargers.values()].sort((a, b) => a.chargePointId.localeCompare(b.chargePointId)).map((c) => {
    const node = card(c);
    cards.set(c.chargePointId, node);
    return node;
  }));
}

function stateClass(c) {
  if (!c.connected) return 'off';
  if (c.state === 'never booted') return 'warn';
  const faulted = c.connectors.some((k) => k.status === 'Faulted' || connectorError(k.errorCode));
  return faulted ? 'bad' : 'good';
}

/** One charger: its state, each connector's status and power, the limit slot and the cloud link. */
function card(c) {
  const connectors = c.connectors.filter((k) => k.connectorId > 0);
  const power = chargerPower(c);
  const link = c.upstream;
  return el('article', { class: 'card state-' + stateClass(c), 'data-charge-point-id': c.chargePointId },
    el('h2', {}, el('a', { href: chargerHref(c.chargePointId) }, c.chargePointId)),
    el('p', { class: 'state' }, c.state, c.connected ? '' : ' · since ' + ago(c.disconnectedSince)),
    el('ul', { class: 'connectors' }, connectors.length === 0
      ? el('li', {}, c.state === 'never booted' ? 'no BootNotification yet' : 'no connector status yet')
      : connectors.map((k) => el('li', { class: 'connector', 'data-connector-id': k.connectorId },
        el('span', {}, '#' + k.connectorId + ' '), el('span', { class: 'status' }, k.status || 'unknown'),
        connectorError(k.errorCode) ? el('span', { class: 'bad' }, ' · ' + connectorError(k.errorCode)) : null))),
    el('dl', {},
      el('dt', {}, 'Power'), el('dd', { class: 'power' }, power === null ? 'not reported' : watts(power)),
      el('dt', {}, 'Limit'), el('dd', { class: 'limit' }, limitText(c.chargePointId)),
      el('dt', {}, 'Why'), el('dd', { class: 'reason', 'data-slot': 'balancer' }, reasonText(c.chargePointId)),
      el('dt', {}, 'Mode'), el('dd', { class: 'modes' }, modeControls(c.chargePointId, drawCards)),
      el('dt', {}, 'Cloud'), el('dd', { class: 'upstream' }, link === undefined || link === null ? 'no upstream link'
        : link.connected ? 'connected' + (link.queueDepth ? ', ' + link.queueDepth + ' queued' : '')
          : 'down ' + ago(link.downSince) + (link.lastProblem ? ': ' + link.lastProblem : ''))));
}

function chargerEvent(data) {
  if (!data.charger) return;
  chargers.set(data.chargePointId, data.charger);
  const old = cards.get(data.chargePointId);
  if (old) {
    const node = card(data.charger);
    old.replaceWith(node);
    cards.set(data.chargePointId, node);
  } else {
    drawCards();
  }
  drawSummary();
  drawEnergy();
  refreshBalance(drawCards);
}

function measurementEvent(data) {
  if (!data.measurement) return;
  energyAvailable = true;
  energy.set(keyOf(data.key), data.measurement);
  drawEnergy();
  refreshBalance(drawCards);
}

await start('site');
await load();
live({ ...Object.fromEntries(CHARGER_EVENTS.map((name) => [name, chargerEvent])), MEASUREMENT: measurementEvent },
  load);
