// What chargers refused or reported wrong (configuration keys, the local authorisation list), in the words
// the API gives (installerFindings). Its own module, loaded beside charger.js and diagnostics.js:
// on a charger's page it fills #findings, on the diagnostics page #charger-findings.
import { api, el, fill, param, chargerHref, ago } from './app.js';

function item(f, prefix) {
  return el('li', { class: f.kind === 'localList' ? 'bad' : 'warn' }, prefix, el('strong', { class: 'title' }, f.title),
    el('p', { class: 'hint' }, f.hint));
}

/** The items of one charger, each with its time. */
function items(charger, withLink) {
  const d = charger.diagnostics || { configuration: [] };
  const times = [d.localList?.at, ...d.configuration.map((k) => k.at)].filter((t) => t !== undefined);
  return (charger.installerFindings || []).map((f, i) => item(f, withLink
    ? [el('a', { href: chargerHref(charger.chargePointId) }, charger.chargePointId), ' · ']
    : (times[i] ? [ago(times[i]), ' · '] : [])));
}

async function chargerPage(node, id) {
  const show = async () => {
    const charger = await api('/api/chargers/' + encodeURIComponent(id));
    const found = items(charger, false);
    fill(node, el('h2', {}, 'What the charger refused'), found.length
      ? el('ul', { class: 'findings', id: 'findings-list' }, found)
      : el('p', { class: 'good' }, 'Nothing: no configuration key refused, and its local list is in step with what'
        + ' it last accepted (as far as the gateway has seen since it started).'));
  };
  await show();
  // charger.js rewrites these sections after a configuration change or a local list push: read again then
  let pending = null;
  const again = () => {
    clearTimeout(pending);
    pending = setTimeout(() => show().catch(() => {}), 300);
  };
  for (const watched of ['configuration', 'locallist']) {
    const section = document.getElementById(watched);
    if (section) new MutationObserver(again).observe(section, { childList: true, subtree: true });
  }
}

async function diagnosticsPage(node) {
  const chargers = await api('/api/chargers');
  const found = chargers.flatMap((c) => items(c, true));
  fill(node, el('h2', {}, 'Refused configuration and local lists'), found.length
    ? el('ul', { class: 'findings' }, found)
    : el('p', { class: 'good' }, 'No charger refused a configuration key or reported a local list problem.'));
}

const onChargerPage = document.getElementById('findings');
const onDiagnostics = document.getElementById('charger-findings');
try {
  if (onChargerPage && param('id')) await chargerPage(onChargerPage, param('id'));
  if (onDiagnostics) await diagnosticsPage(onDiagnostics);
} catch (e) {
  const node = onChargerPage || onDiagnostics;
  if (node) fill(node, el('p', { class: 'warn' }, 'Cannot read what the chargers refused: ' + e.message));
}
