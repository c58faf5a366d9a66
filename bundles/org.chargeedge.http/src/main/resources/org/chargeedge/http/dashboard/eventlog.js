// The diagnostics page's event log: what happened on the site over the last hours, newest first, in
// words (GET /api/events/log). Read once when the page opens; "Newer events" reads it again.
// State: none kept; the list is drawn from each answer.
import { api, el, fill, time, chargerHref } from './app.js';

const SHOWN = 100;
const CLASSES = { info: '', warning: 'warn', problem: 'bad' };

function entry(e) {
  return el('li', { class: 'event ' + (CLASSES[e.severity] || ''), 'data-kind': e.kind },
    el('time', { datetime: e.at }, time(e.at)), ' ',
    e.chargePointId ? el('a', { href: chargerHref(e.chargePointId) }, e.chargePointId) : 'Gateway',
    ': ', el('span', { class: 'text' }, e.text));
}

async function drawEventLog() {
  const box = document.getElementById('eventlog');
  const again = el('button', { type: 'button', on: { click: drawEventLog } }, 'Newer events');
  let answer;
  try {
    answer = await api('/api/events/log?limit=' + SHOWN);
  } catch (e) {
    fill(box, el('h2', {}, 'Recent events'), el('p', { class: 'bad' }, 'Cannot read the event log: ' + e.message));
    return;
  }
  fill(box, el('h2', {}, 'Recent events'),
    answer.events.length
      ? el('ol', { class: 'events' }, answer.events.map(entry))
      : el('p', { class: 'empty' }, 'Nothing happened since the gateway\'s web interface started.'),
    el('p', { class: 'hint' }, 'The last ' + SHOWN + ' events of the last hours, newest first; meter values are'
      + ' on each charger\'s page.'), again);
}

await drawEventLog();
