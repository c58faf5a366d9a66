// A small line chart as inline SVG: the series' points over time, with its range and unit as text.
import { el } from './app.js';

const W = 600;
const H = 200;
const PAD = { left: 56, right: 8, top: 10, bottom: 24 };

/** points: [{t: ms since epoch, v: number}] in time order; format: a value's label. */
export function lineChart(points, format, label) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label });
  if (points.length === 0) {
    svg.append(el('text', { svg: true, x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'no values yet'));
    return svg;
  }
  const t0 = points[0].t;
  const t1 = Math.max(points[points.length - 1].t, t0 + 1000);
  let lo = Math.min(0, ...points.map((p) => p.v));
  let hi = Math.max(...points.map((p) => p.v));
  if (hi === lo) hi = lo + 1;
  const x = (t) => PAD.left + (t - t0) / (t1 - t0) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v - lo) / (hi - lo) * (H - PAD.top - PAD.bottom);
  const path = points.map((p, i) => (i ? 'L' : 'M') + x(p.t).toFixed(1) + ' ' + y(p.v).toFixed(1)).join(' ');
  const clock = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  svg.append(
    el('line', { svg: true, x1: PAD.left, y1: y(lo), x2: W - PAD.right, y2: y(lo), class: 'grid' }),
    el('line', { svg: true, x1: PAD.left, y1: y(hi), x2: W - PAD.right, y2: y(hi), class: 'grid' }),
    el('text', { svg: true, x: PAD.left - 4, y: y(hi) + 4, 'text-anchor': 'end', class: 'axis' }, format(hi)),
    el('text', { svg: true, x: PAD.left - 4, y: y(lo) + 4, 'text-anchor': 'end', class: 'axis' }, format(lo)),
    el('text', { svg: true, x: PAD.left, y: H - 6, class: 'axis' }, clock(t0)),
    el('text', { svg: true, x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'axis' }, clock(t1)),
    el('path', { svg: true, d: path, class: 'line' }),
    ...points.map((p) => el('circle', { svg: true, cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5,
      class: 'dot' }, el('title', { svg: true }, clock(p.t) + ': ' + format(p.v)))));
  return svg;
}
