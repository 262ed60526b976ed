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
