// Sparklines as SVG, drawn by our own small code: a line over time (x spaced by timestamp, not by
// index, so gaps show as gaps in time), a light area under it and a dot on the newest value. The
// picture is labelled for screen readers with its range and latest value.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * points: [{at: Date|string|number, value: number}] (any order); options: width, height,
 * min (0), max (100, or the data's maximum when null), label (e.g. "CPU"), unit ("%").
 */
export function sparkline(points, { width = 240, height = 48, min = 0, max = 100, label = 'value', unit = '%', className = '' } = {}) {
  const data = points
    .map((p) => ({ t: new Date(p.at).getTime(), v: Number(p.value) }))
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v))
    .sort((a, b) => a.t - b.t);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: `spark ${className}`.trim(), role: 'img' });
  const titleEl = svg('title');
  root.append(titleEl);
  if (data.length === 0) {
    titleEl.textContent = `${label}: no samples yet`;
    root.setAttribute('aria-label', titleEl.textContent);
    const t = svg('text', { x: width / 2, y: height / 2 + 4, 'text-anchor': 'middle', class: 'spark-empty' });
    t.textContent = 'no samples yet';
    root.append(t);
    return root;
  }
  const top = max === null ? Math.max(...data.map((p) => p.v), 1) : max;
  const pad = 3;
  const t0 = data[0].t;
  const span = Math.max(data[data.length - 1].t - t0, 1);
  const x = (t) => (data.length === 1 ? width - pad : pad + ((t - t0) / span) * (width - 2 * pad));
  const y = (v) => height - pad - ((Math.min(Math.max(v, min), top) - min) / (top - min || 1)) * (height - 2 * pad);
  const line = data.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = data[data.length - 1];
  root.append(svg('line', { x1: 0, x2: width, y1: height - pad, y2: height - pad, class: 'spark-axis' }));
  if (data.length > 1) {
    root.append(svg('path', { d: `${line} L${x(last.t).toFixed(1)},${height - pad} L${x(t0).toFixed(1)},${height - pad} Z`, class: 'spark-area' }));
    root.append(svg('path', { d: line, class: 'spark-line', fill: 'none' }));
  }
  root.append(svg('circle', { cx: x(last.t).toFixed(1), cy: y(last.v).toFixed(1), r: 2.5, class: 'spark-dot' }));
  const values = data.map((p) => p.v);
  const fmt = (v) => `${v.toFixed(1)}${unit ? ` ${unit}` : ''}`;
  titleEl.textContent = `${label}: latest ${fmt(last.v)}, lowest ${fmt(Math.min(...values))}, highest ${fmt(Math.max(...values))} over ${data.length} samples`;
  root.setAttribute('aria-label', titleEl.textContent);
  root.dataset.samples = String(data.length);
  root.dataset.latest = last.v.toFixed(1);
  return root;
}

/**
 * A line chart of several series over a numeric x (rounds): series [{name, points: [{x, y}],
 * className}], each scaled to its own axis range when `shared` is false (loss and accuracy
 * differ in scale). Axes with their ranges, a legend, and a text summary for screen readers.
 */
export function lineChart(series, { width = 560, height = 220, xLabel = 'round', label = 'chart' } = {}) {
  const pad = { left: 44, right: 12, top: 12, bottom: 30 };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'line-chart', role: 'img', preserveAspectRatio: 'xMinYMin meet' });
  const titleEl = svg('title');
  root.append(titleEl);
  const all = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  if (!all.length) {
    titleEl.textContent = `${label}: nothing yet`;
    root.setAttribute('aria-label', titleEl.textContent);
    const t = svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'spark-empty' });
    t.textContent = 'nothing to draw yet';
    root.append(t);
    root.dataset.points = '0';
    return root;
  }
  const xs = all.map((p) => p.x);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const x = (v) => pad.left + ((v - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  root.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, class: 'axis' }));
  root.append(svg('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: height - pad.bottom, class: 'axis' }));
  const tick = (text, attrs) => { const t = svg('text', attrs); t.textContent = text; root.append(t); };
  tick(String(x0), { x: pad.left, y: height - 10, class: 'tick' });
  tick(`${xLabel} ${x1}`, { x: width - pad.right, y: height - 10, 'text-anchor': 'end', class: 'tick' });
  const summaries = [];
  series.forEach((s, index) => {
    const points = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (!points.length) return;
    const ys = points.map((p) => p.y);
    const lo = s.min ?? Math.min(...ys);
    const hi = s.max ?? Math.max(...ys, lo + 1e-9);
    const y = (v) => height - pad.bottom - ((v - lo) / (hi - lo || 1)) * (height - pad.top - pad.bottom);
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    root.append(svg('path', { d, class: `series ${s.className || `series-${index}`}`, fill: 'none', 'data-series': s.name }));
    for (const p of points) root.append(svg('circle', { cx: x(p.x).toFixed(1), cy: y(p.y).toFixed(1), r: 2.5, class: `series ${s.className || `series-${index}`}` }));
    tick(`${s.name} ${fmt(hi)}`, { x: pad.left + 4 + index * 170, y: pad.top + 10, class: `tick legend ${s.className || `series-${index}`}` });
    const last = points[points.length - 1];
    summaries.push(`${s.name} ${fmt(last.y)} at ${xLabel} ${last.x} (range ${fmt(lo)} to ${fmt(hi)})`);
  });
  titleEl.textContent = `${label}: ${summaries.join('; ')}`;
  root.setAttribute('aria-label', titleEl.textContent);
  root.dataset.points = String(all.length);
  return root;
}

/**
 * A scatter of options: points [{x, y, kind, label}] where kind is 'front', 'recommended',
 * 'knee' or 'baseline'; x and y axes named with units. Each point carries its label as a title.
 */
export function scatter(points, { width = 560, height = 300, xLabel = 'x', yLabel = 'y', label = 'scatter' } = {}) {
  const pad = { left: 60, right: 16, top: 16, bottom: 36 };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'scatter', role: 'img', preserveAspectRatio: 'xMinYMin meet' });
  const titleEl = svg('title');
  root.append(titleEl);
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = usable.map((p) => p.x);
  const ys = usable.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1e-9) * 1.05];
  const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 1e-9) * 1.05];
  const x = (v) => pad.left + ((v - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  root.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, class: 'axis' }));
  root.append(svg('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: height - pad.bottom, class: 'axis' }));
  const text = (content, attrs) => { const t = svg('text', attrs); t.textContent = content; root.append(t); };
  text(`${xLabel} (0 to ${fmt(x1)})`, { x: width - pad.right, y: height - 8, 'text-anchor': 'end', class: 'tick' });
  text(`${yLabel} (to ${fmt(y1)})`, { x: 4, y: pad.top - 4, class: 'tick' });
  // The front first, then the named points on top of it.
  const order = { front: 0, baseline: 1, knee: 2, recommended: 3 };
  for (const p of usable.slice().sort((a, b) => order[a.kind] - order[b.kind])) {
    const shape = p.kind === 'baseline'
      ? svg('rect', { x: (x(p.x) - 4).toFixed(1), y: (y(p.y) - 4).toFixed(1), width: 8, height: 8, class: `point ${p.kind}`, 'data-kind': p.kind })
      : svg('circle', { cx: x(p.x).toFixed(1), cy: y(p.y).toFixed(1), r: p.kind === 'front' ? 3.5 : 6, class: `point ${p.kind}`, 'data-kind': p.kind });
    const tip = svg('title');
    tip.textContent = p.label;
    shape.append(tip);
    root.append(shape);
  }
  const counts = ['front', 'recommended', 'knee', 'baseline'].map((k) => `${usable.filter((p) => p.kind === k).length} ${k}`);
  titleEl.textContent = `${label}: ${counts.join(', ')}`;
  root.setAttribute('aria-label', titleEl.textContent);
  return root;
}

/** Horizontal bars: rows [{label, value, text}], scaled to the largest. */
export function bars(rows, { width = 560, rowHeight = 22, label = 'bars' } = {}) {
  const height = Math.max(rowHeight * rows.length + 4, rowHeight);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', class: 'bars', role: 'img', preserveAspectRatio: 'xMinYMin meet' });
  const titleEl = svg('title');
  titleEl.textContent = `${label}: ${rows.map((r) => `${r.label} ${r.text}`).join('; ') || 'nothing yet'}`;
  root.append(titleEl);
  root.setAttribute('aria-label', titleEl.textContent);
  const top = Math.max(...rows.map((r) => r.value), 1e-12);
  rows.forEach((r, i) => {
    const w = Math.max(0, (r.value / top) * (width - 230));
    root.append(svg('rect', { x: 110, y: i * rowHeight + 3, width: w.toFixed(1), height: rowHeight - 8, class: 'bar' }));
    const name = svg('text', { x: 0, y: i * rowHeight + rowHeight - 8, class: 'tick' });
    name.textContent = r.label;
    const value = svg('text', { x: 116 + w, y: i * rowHeight + rowHeight - 8, class: 'tick' });
    value.textContent = r.text;
    root.append(name, value);
  });
  return root;
}

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.01 ? v.toFixed(3) : v.toPrecision(2);
}
