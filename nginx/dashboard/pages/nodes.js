// Nodes: status, live CPU / memory / GPU (refreshed every few seconds, with a sparkline of what
// this page has seen), drain and undrain.

import * as api from '../api.js';
import * as access from '../access.js';
import { sparkline } from '../chart.js';
import { h, clear, title, table, field, section, run, toast, select, lowerId, badge, ago, percent, actionButton, notice } from '../ui.js';

const POLL_MS = 3000;
const KEEP = 40;

export function drainButton(node, after, where) {
  const draining = node.status === 'draining' || node.status === 'failed';
  const verb = draining ? 'undrain' : 'drain';
  const label = draining ? 'Undrain' : 'Drain';
  return actionButton(label, {
    allowed: access.canEither('nodes:manage', node.organisationId, node.federationId),
    reason: access.needs('nodes:manage', access.organisation(node.organisationId)),
    name: verb,
    onClick: (event) => run(where, async () => {
      const updated = await api.post(`/api/v1/nodes/${lowerId(node.id)}/${verb}`);
      toast(draining ? `${updated.hostname} takes work again.` : `${updated.hostname} is draining: it finishes what it has and takes nothing new.`);
      await after(updated);
    }, event.currentTarget),
  });
}

export async function render(page, ctx) {
  page.append(title('Nodes'));
  if (!access.canAnywhere('nodes:read')) {
    page.append(notice('Seeing nodes needs the nodes:read permission (the viewer role has it).', 'muted'));
    return;
  }
  const federations = await api.get('/api/v1/federations').catch(() => []);
  const fedName = (id) => (federations.find((f) => lowerId(f.id) === lowerId(id)) || {}).name || lowerId(id);
  const fedFilter = select('federationId', [['', 'All federations'], ...federations.map((f) => [lowerId(f.id), f.name])], { value: ctx.query.get('federationId') || '' });
  const statusFilter = select('status', [['', 'Any status'], ['active', 'active'], ['inactive', 'inactive'], ['draining', 'draining'], ['failed', 'failed']], { value: ctx.query.get('status') || '' });
  const filters = h('form.filters', { role: 'search' }, field('Federation', fedFilter), field('Status', statusFilter));
  const onFilter = () => { location.hash = `#/nodes${api.query({ federationId: fedFilter.value, status: statusFilter.value })}`; };
  fedFilter.addEventListener('change', onFilter);
  statusFilter.addEventListener('change', onFilter);

  const body = h('div', { 'aria-live': 'off' });
  const messages = h('div');
  const updated = h('p.muted.small', { 'aria-live': 'polite' });
  page.append(section('Participant nodes', filters, messages, updated, body));

  const seen = new Map(); // node id -> [{at, cpu, memory}]
  async function load() {
    const list = await api.get(`/api/v1/nodes${api.query({ federationId: fedFilter.value, status: statusFilter.value })}`);
    for (const n of list.nodes) {
      if (!n.telemetry || !n.lastHeartbeatAt) continue;
      const key = lowerId(n.id);
      const series = seen.get(key) || [];
      if (!series.length || series[series.length - 1].at !== n.lastHeartbeatAt) {
        const t = n.telemetry;
        series.push({ at: n.lastHeartbeatAt, cpu: t.cpuPercent, memory: t.memoryTotalBytes ? (t.memoryUsedBytes / t.memoryTotalBytes) * 100 : 0 });
        if (series.length > KEEP) series.shift();
      }
      seen.set(key, series);
    }
    clear(body, table([
      { label: 'Node', value: (n) => h('a', { href: `#/nodes/${lowerId(n.id)}` }, n.hostname) },
      { label: 'Status', value: (n) => badge(n.status) },
      { label: 'Organisation', value: (n) => access.organisationName(n.organisationId) || lowerId(n.organisationId) },
      { label: 'Federation', value: (n) => fedName(n.federationId) },
      { label: 'Where', value: (n) => [n.location.provider, n.location.region].filter(Boolean).join(' ') || '—' },
      { label: 'CPU', class: 'num', value: (n) => h('span.cpu', percent(n.telemetry && n.telemetry.cpuPercent)) },
      { label: 'Memory', class: 'num', value: (n) => h('span.memory', n.telemetry ? percent((n.telemetry.memoryUsedBytes / (n.telemetry.memoryTotalBytes || 1)) * 100) : '—') },
      { label: 'GPU', class: 'num', value: (n) => (n.telemetry && n.telemetry.gpus.length
        ? percent(n.telemetry.gpus.reduce((s, g) => s + g.utilisationPercent, 0) / n.telemetry.gpus.length) : 'none') },
      { label: 'CPU seen here', value: (n) => sparkline((seen.get(lowerId(n.id)) || []).map((p) => ({ at: p.at, value: p.cpu })), { width: 120, height: 28, label: `${n.hostname} CPU` }) },
      { label: 'Last heartbeat', value: (n) => ago(n.lastHeartbeatAt) },
      { label: 'Action', value: (n) => drainButton(n, load, messages) },
    ], list.nodes, {
      empty: 'No nodes match. A node appears here once its agent has enrolled and registered (see a federation\'s "Enrol a node").',
      rowAttrs: (n) => ({ 'data-node': n.hostname, 'data-status': n.status }),
    }));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every ${POLL_MS / 1000} s.`;
  }
  await run(body, load);
  ctx.every(POLL_MS, () => run(body, load));
}
