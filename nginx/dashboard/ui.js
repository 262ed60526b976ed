// Small DOM helpers shared by the pages. Text always goes in as text nodes (never innerHTML), so
// names and messages from the API cannot inject markup.

import * as api from './api.js';
import * as access from './access.js';

const { describeError } = api;

/** h('tag.class', {attr: value, onclick: fn}, ...children) */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = [el.className, value].filter(Boolean).join(' ');
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A problem shown in words: title, detail and each offending field. */
export function errorBox(error, context) {
  const d = describeError(error);
  return h('div.error', { role: 'alert' },
    h('strong', context ? `${context}: ${d.title}` : d.title),
    d.detail ? h('p', d.detail) : null,
    d.fields.length ? h('ul', d.fields.map((f) => h('li', h('code', f.field), ` — ${f.reason}${f.limit ? ` (limit ${f.limit})` : ''}`))) : null,
    d.requestId ? h('p.muted.small', `Request id ${d.requestId}`) : null);
}

export function notice(text, kind = 'info') {
  return h(`p.notice.${kind}`, { role: kind === 'warn' ? 'note' : null }, text);
}

let toastTimer = null;
export function toast(text) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 5000);
}

/**
 * A button for an action the caller may not have. Allowed: an ordinary button. Not allowed:
 * disabled, with the reason next to it (and linked for screen readers) — never a dead button.
 */
let reasonCounter = 0;
export function actionButton(label, { allowed, reason, onClick, kind = '', name } = {}) {
  if (allowed) {
    return h(`button.${kind || 'secondary'}`, { type: 'button', onclick: onClick, 'data-action': name || label }, label);
  }
  const id = `why-${++reasonCounter}`;
  return h('span.gated',
    h(`button.${kind || 'secondary'}`, { type: 'button', disabled: true, 'aria-describedby': id, 'data-action': name || label, title: reason }, label),
    h('span.why', { id }, reason));
}

/** Runs an async action from a button or form: busy state, errors shown in `where`. */
export async function run(where, action, button) {
  if (button) button.disabled = true;
  const shown = where ? where.querySelectorAll(':scope > .error') : [];
  shown.forEach((e) => e.remove());
  try {
    return await action();
  } catch (error) {
    if (where) where.prepend(errorBox(error));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** A table from columns [{label, value: row => node|text, class?}] and rows. */
export function table(columns, rows, { empty = 'Nothing to show.', caption, rowAttrs } = {}) {
  if (!rows.length) return h('p.muted.empty', empty);
  return h('div.table-wrap',
    h('table',
      caption ? h('caption', caption) : null,
      h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', rows.map((row) => h('tr', rowAttrs ? rowAttrs(row) : {}, columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.value(row))))))));
}

/** A labelled field. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div.field', h('label', { for: id }, label), input, hint ? h('span.hint', hint) : null);
}

export function select(name, options, { value, required } = {}) {
  return h('select', { name, required },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

/** Key-value pairs as a definition list. */
export function facts(pairs) {
  return h('dl.facts', pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', k), h('dd', v === undefined || v === null || v === '' ? '—' : v)]));
}

export function badge(text, kind) {
  return h(`span.badge.${kind || text}`, text);
}

export function link(href, text) {
  return h('a', { href }, text);
}

export function section(title, ...children) {
  return h('section.card', h('h2', title), ...children);
}

// ---- formatting ------------------------------------------------------------------------------

export const shortId = (id) => (id ? String(id).toLowerCase().slice(0, 8) : '—');
export const lowerId = (id) => (id ? String(id).toLowerCase() : id);

export function dateTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function ago(value) {
  if (!value) return 'never';
  const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

export function bytes(n) {
  if (n === undefined || n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(n);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

export const percent = (p) => (p === undefined || p === null ? '—' : `${Number(p).toFixed(1)} %`);

export function title(text) {
  document.title = `${text} · Cumulus`;
  return h('h1', text);
}

/**
 * The opening of the per-federation pages (jobs, models, costs, placement): the title, a word
 * when the caller may not read `permission` or is in no federation, else the federations, the
 * chosen one (the query's `federationId`, else the first) and a select for it. Answers null when
 * the page has nothing more to show.
 */
export async function federationChoice(page, ctx, { heading, permission, what }) {
  page.append(title(heading));
  if (!access.canAnywhere(permission)) {
    page.append(notice(`Seeing ${what} needs the ${permission} permission (the viewer role has it).`, 'muted'));
    return null;
  }
  const federations = await api.get('/api/v1/federations');
  if (!federations.length) {
    page.append(notice(`You are in no federation yet, so there are no ${what} to show.`, 'muted'));
    return null;
  }
  const chosen = lowerId(ctx.query.get('federationId')) || lowerId(federations[0].id);
  return { federations, chosen, select: select('federationId', federations.map((f) => [lowerId(f.id), f.name]), { value: chosen }) };
}
