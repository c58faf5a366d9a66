// The diagnostics page's MQTT section: the broker connection and each energy input, in an installer's words.
// Its own module (loaded beside diagnostics.js) so the page's other sections do not wait for it.
import { api, el, fill, ago } from './app.js';

function seconds(s) {
  return s < 120 ? s + ' s' : Math.round(s / 60) + ' min';
}

function inputItem(i) {
  if (i.problem) {
    return el('li', { class: 'bad' }, el('strong', {}, i.name), ': does not run: ' + i.problem
      + '. Correct its configuration file.');
  }
  const lines = [el('strong', {}, i.name)];
  if (!i.lastMessageAt) {
    lines.push(': no message yet on ' + i.topics.join(', ') + '. Check the device\'s MQTT settings (broker,'
      + ' topic prefix) and that it publishes.');
  } else if (i.stale) {
    lines.push(': last message ' + ago(i.lastMessageAt) + ', longer than the ' + seconds(i.staleAfterSeconds)
      + ' its values stay valid: they are unknown, and the load balancer uses its safe budget. Is the device on?');
  } else {
    lines.push(': last message ' + seconds(i.lastMessageAgeSeconds) + ' ago, ' + i.messages + ' in all.');
  }
  if (i.unknownValues.length) lines.push(el('p', { class: 'reason' }, 'Unknown now: ' + i.unknownValues.join(', ')));
  if (i.warning) lines.push(el('p', { class: 'hint' }, i.warning));
  return el('li', { class: i.stale || i.unknownValues.length ? 'warn' : 'good' }, lines);
}

/** Fills the section with id {@code id} from GET /api/mqtt. */
export async function showMqtt(id) {
  const node = document.getElementById(id);
  if (!node) return;
  let m;
  try {
    m = await api('/api/mqtt');
  } catch (e) {
    fill(node, el('h2', {}, 'MQTT'), el('p', { class: 'warn' }, 'The MQTT part of the gateway is not running: '
      + e.message));
    return;
  }
  if (!m.configured) {
    fill(node, el('h2', {}, 'MQTT'), el('p', { class: 'good' }, 'No MQTT broker is configured: the site runs'
      + ' without energy inputs from MQTT.'));
    return;
  }
  const broker = m.connected
    ? el('p', { class: 'good', id: 'mqtt-broker' }, 'Connected to ' + m.brokerUrl + ' since ' + ago(m.since) + '.')
    : el('p', { class: 'bad', id: 'mqtt-broker' }, 'Not connected to ' + m.brokerUrl + ' (' + m.failedAttempts
      + ' failed attempts' + (m.lastError ? ', last: ' + m.lastError : '') + '). Energy values from MQTT are'
      + ' unknown until it is back: check the broker runs, its address and port, user and password.');
  fill(node, el('h2', {}, 'MQTT'), broker, m.inputs.length
    ? el('ul', { class: 'findings', id: 'mqtt-inputs' }, m.inputs.map(inputItem))
    : el('p', { class: 'hint' }, 'No energy input is configured.'));
}

await showMqtt('mqtt');
