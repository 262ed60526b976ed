// The dashboard shell: a hash router, the navigation, the account box and the session.
//
// Every page is one module under pages/ exporting render(view, ctx). ctx carries the route's
// parameters and query, every(ms, fn) for polling (stopped when the page is left or the tab is
// hidden) and onLeave(fn). Before each page, the caller's identity and grants are reloaded, so
// what a page offers follows role changes without a new login.

import * as api from './api.js';
import * as access from './access.js';
import { h, clear, errorBox } from './ui.js';

const routes = [
  ['/login', () => import('./pages/login.js')],
  ['/federations', () => import('./pages/federations.js')],
  ['/federations/:id', () => import('./pages/federation.js')],
  ['/nodes', () => import('./pages/nodes.js')],
  ['/nodes/:id', () => import('./pages/node.js')],
  ['/tasks', () => import('./pages/tasks.js')],
  ['/tasks/:id', () => import('./pages/task.js')],
  ['/organisations', () => import('./pages/organisations.js')],
  ['/organisations/:id', () => import('./pages/organisation.js')],
  ['/users/:id/review', () => import('./pages/review.js')],
  ['/roles', () => import('./pages/roles.js')],
  ['/roles/:id', () => import('./pages/role.js')],
  ['/approvals', () => import('./pages/approvals.js')],
  ['/audit', () => import('./pages/audit.js')],
  ['/credentials', () => import('./pages/credentials.js')],
  ['/jobs', () => import('./pages/jobs.js')],
  ['/jobs/:id', () => import('./pages/job.js')],
  ['/models', () => import('./pages/models.js')],
  ['/costs', () => import('./pages/costs.js')],
  ['/placement', () => import('./pages/placement.js')],
  ['/health', () => import('./pages/health.js')],
];

/** Navigation: [href, label]. */
const navigation = [
  ['#/federations', 'Federations'],
  ['#/jobs', 'Jobs'],
  ['#/models', 'Models'],
  ['#/costs', 'Costs'],
  ['#/placement', 'Placement'],
  ['#/nodes', 'Nodes'],
  ['#/tasks', 'Tasks'],
  ['#/organisations', 'Organisations & users'],
  ['#/roles', 'Roles & permissions'],
  ['#/approvals', 'Approvals'],
  ['#/audit', 'Audit log'],
  ['#/credentials', 'Cloud credentials'],
  ['#/health', 'Service health'],
];

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const account = document.getElementById('account');

let leaving = [];
let generation = 0;
let sessionEndReason = '';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path === '/' ? '/federations' : path.replace(/\/+$/, '') || '/federations', query: new URLSearchParams(search) };
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, load] of routes) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { load, params };
    }
  }
  return null;
}

function leave() {
  for (const fn of leaving) {
    try { fn(); } catch { /* a page's cleanup must not stop the next page */ }
  }
  leaving = [];
}

function renderNav(current) {
  const item = ([href, label]) => {
    const active = current === href.slice(1) || (href !== '#/' && current.startsWith(href.slice(1) + '/'));
    return h('li', h('a', { href, 'aria-current': active ? 'page' : null }, label));
  };
  clear(nav, h('ul', navigation.map(item)));
}

function renderAccount() {
  const me = access.user();
  if (!me) { clear(account); return; }
  clear(account,
    h('span.who', { title: me.email }, me.displayName || me.email),
    h('button.link', { type: 'button', 'data-action': 'logout', onclick: async () => {
      await api.logout();
      access.clear();
      sessionEndReason = '';
      location.hash = '#/login';
      route();
    } }, 'Log out'));
}

async function route() {
  leave();
  const mine = ++generation;
  const { path, query } = parseHash();
  // Nothing of the previous page stays usable while the next one loads.
  clear(view, h('p.muted', { role: 'status' }, 'Loading…'));

  if (!api.isLoggedIn() && path !== '/login') {
    location.replace(`#/login?next=${encodeURIComponent(path)}`);
    return;
  }
  if (!api.isLoggedIn()) {
    access.clear();
    clear(nav);
    clear(account);
  } else if (path === '/login') {
    location.replace('#/federations');
    return;
  } else {
    try {
      await access.refresh();
    } catch (error) {
      if (mine !== generation) return;
      if (!api.isLoggedIn()) return; // the session ended; onSessionEnd routes to the login page
      clear(view, errorBox(error, 'Could not load your account'));
      return;
    }
    if (mine !== generation) return;
    renderNav(path);
    renderAccount();
  }

  const found = match(path);
  const page = h('div.page');
  clear(view, page);
  if (!found) {
    page.append(h('h1', 'Not found'), h('p', 'There is no page at this address. '), h('a', { href: '#/federations' }, 'Go to the federations'));
    return;
  }
  const ctx = {
    params: found.params,
    query,
    sessionEndReason,
    onLeave: (fn) => leaving.push(fn),
    every: (ms, fn) => {
      const id = setInterval(() => { if (!document.hidden && mine === generation) fn(); }, ms);
      leaving.push(() => clearInterval(id));
    },
    current: () => mine === generation,
    reload: () => route(),
  };
  try {
    const module = await found.load();
    if (mine !== generation) return;
    await module.render(page, ctx);
    view.focus({ preventScroll: true });
  } catch (error) {
    if (mine !== generation) return;
    page.append(errorBox(error, 'This page could not be shown'));
  }
}

api.onSessionEnd((reason) => {
  sessionEndReason = reason ? `You were logged out: ${reason}` : 'Your session ended; log in again.';
  access.clear();
  const { path } = parseHash();
  location.hash = `#/login?next=${encodeURIComponent(path === '/login' ? '/federations' : path)}`;
});

window.addEventListener('hashchange', route);
route();
