// The installer's diagnostics: what keeps chargers from working, each in words with what to check.
import { start, api, el, fill, notice, isOperator, ago, time, chargerHref } from './app.js';
import * as explain from './explain.js';

function section(id, title, items, none) {
  fill(document.getElementById(id), el('h2', {}, title),
    items.length ? el('ul', { class: 'findings' }, items) : el('p', { class: 'good' }, none));
}

async function optional(path) {
  try {
    return await api(path);
  } catch (e) {
    return { unavailable: e.message };
  }
}

async function load() {
  const [site, chargers, access] = await Promise.all([api('/api/site'), api('/api/chargers'), optional('/api/access')]);
  const r = site.readiness;
  const siteItems = [];
  if (!r.ready) {
    siteItems.push(el('li', { class: 'bad' }, 'The site is not ready: ' + r.missing.join(', ') + ' not running.'
      + ' Chargers\' calls wait for them (at most 10 s each).'));
  }
  if (site.store && !site.store.ok) {
    siteItems.push(el('li', { class: 'bad' }, 'The store cannot write since ' + time(site.store.since) + ': '
      + site.store.problem + '. Transactions are not acknowledged to the chargers while it cannot.'));
  }
  section('site', 'The gateway', siteItems, 'The site is ready: every part the chargers need runs.');

  if (access.unavailable) {
    section('refusals', 'Refused connections', [el('li', { class: 'warn' }, 'Charger access control is not running: '
      + access.unavailable)], '');
  } else {
    const refusals = access.refusals.slice().reverse();
    section('refusals', 'Refused connections', refusals.map((f) => {
      const words = explain.refusal(f.reason);
      return el('li', { class: 'refusal bad' }, el('strong', { class: 'title' }, words.title),
        el('span', {}, ' · ' + (f.chargePointId ? f.chargePointId : 'no charge point id') + ' from ' + f.remoteAddress
          + ', ' + f.count + (f.count === 1 ? ' time' : ' times') + ', last ' + ago(f.lastAt)),
        el('p', { class: 'reason' }, f.reason), el('p', { class: 'hint' }, words.hint));
    }), 'No connection was refused recently.');
    section('waiting', 'Unknown chargers waiting to be accepted', access.waiting.slice().reverse().map((w) => {
      const accept = isOperator() ? el('button', { type: 'button', class: 'accept' }, 'Accept') : null;
      accept?.addEventListener('click', async () => {
        accept.disabled = true;
        try {
          await api('/api/access/accept', { method: 'POST', body: { chargePointId: w.chargePointId } });
          notice(w.chargePointId + ' is accepted: it connects at its next attempt.', 'good');
          load();
        } catch (e) {
          notice('Cannot accept ' + w.chargePointId + ': ' + e.message);
          accept.disabled = false;
        }
      });
      return el('li', { class: 'warn' }, el('strong', {}, w.chargePointId), ' from ' + w.remoteAddress + ', '
        + w.attempts + ' attempts since ' + time(w.firstSeen) + ' ', accept);
    }), 'No unknown charger is trying to connect.');
  }

  section('unbooted', 'Connected but never booted', chargers.filter((c) => c.connected && !c.boot).map((c) =>
    el('li', { class: 'warn' }, el('a', { href: chargerHref(c.chargePointId) }, c.chargePointId),
      ' connected ' + ago(c.connectedSince) + ' from ' + c.remoteAddress + ' and sent no BootNotification. Restart'
      + ' it; if it stays like this, its firmware does not speak OCPP 1.6 as it should.')),
  'Every connected charger has booted.');

  const faults = [];
  for (const c of chargers) {
    for (const k of c.connectors) {
      const words = explain.connectorError(k.errorCode);
      if (words || k.status === 'Faulted') {
        faults.push(el('li', { class: 'bad' }, el('a', { href: chargerHref(c.chargePointId) }, c.chargePointId),
          (k.connectorId === 0 ? ' (the charger)' : ' connector ' + k.connectorId) + ': ' + (words || 'faulted')
          + (k.info ? ' (' + k.info + ')' : '') + ', since ' + time(k.statusTimestamp)));
      }
    }
  }
  section('faults', 'Chargers reporting faults', faults, 'No charger reports a fault.');

  const links = chargers.filter((c) => c.upstream && (!c.upstream.connected || c.upstream.failed > 0));
  section('upstream', 'Link to the cloud', links.map((c) => el('li', { class: 'warn' },
    el('a', { href: chargerHref(c.chargePointId) }, c.chargePointId), c.upstream.connected
      ? ': ' + c.upstream.failed + ' messages parked (the cloud refused them)'
      : ': down ' + ago(c.upstream.downSince) + (c.upstream.lastProblem ? ': ' + c.upstream.lastProblem : '')
        + (c.upstream.queueDepth ? ', ' + c.upstream.queueDepth + ' messages wait' : ''))),
  site.upstream ? 'Every charger\'s link to the cloud is up.' : 'No cloud link is configured.');

  fill(document.getElementById('checks'), el('h2', {}, 'Per charger'), el('p', {}, 'A charger\'s page reads its'
    + ' configuration (keys it does not know, values it rejects) and compares its local authorisation list with'
    + ' the gateway\'s (an empty, outdated or corrupted list).'), el('ul', {}, chargers.filter((c) => c.connected)
    .map((c) => el('li', {}, el('a', { href: chargerHref(c.chargePointId) }, c.chargePointId)))));
}

await start('diagnostics');
try {
  await load();
} catch (e) {
  notice('Cannot read the site: ' + e.message);
}
