// One node: specs, live telemetry, CPU / memory / GPU history as sparklines, events, datasets,
// drain / undrain and revocation (governance: its credentials stop working everywhere).

import * as api from '../api.js';
import * as access from '../access.js';
import { sparkline } from '../chart.js';
import { drainButton } from './nodes.js';
import { h, clear, title, table, section, run, lowerId, badge, ago, percent, bytes, facts, dateTime, actionButton, notice } from '../ui.js';

const POLL_MS = 3000;

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  const head = h('div');
  const live = h('div');
  const charts = h('div.charts');
  const events = h('div');
  const datasets = h('div');
  const actions = h('div.actions-row');
  const messages = h('div', { 'aria-live': 'polite' });
  page.append(h('p.crumbs', h('a', { href: '#/nodes' }, 'Nodes'), ' / '), head,
    section('Live telemetry', live), section('History', charts), section('Actions', messages, actions),
    section('Events', events), section('Datasets', datasets));

  async function load() {
    const detail = await api.get(`/api/v1/nodes/${id}`);
    const n = detail.node;
    const t = n.telemetry;
    clear(head, title(n.hostname), h('p', badge(n.status), ' ', h('span.muted', `last heartbeat ${ago(n.lastHeartbeatAt)}`)),
      facts([
        ['Organisation', access.organisationName(n.organisationId) || lowerId(n.organisationId)],
        ['Federation', h('a', { href: `#/federations/${lowerId(n.federationId)}` }, lowerId(n.federationId))],
        ['Where', [n.location.provider, n.location.region, n.location.zone, n.location.instanceType].filter(Boolean).join(' · ')],
        ['Specs', `${n.specs.vcpus} vCPU · ${bytes(n.specs.memoryBytes)} memory · ${bytes(n.specs.diskBytes)} disk${n.specs.gpus.length ? ` · ${n.specs.gpus.map((g) => g.name).join(', ')}` : ''}`],
        ['Agent', n.agentVersion],
        ['Registered', dateTime(n.registeredAt)],
        ['Labels', Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(', ')],
        ['Id', h('code', id)],
      ]));
    clear(live, t ? facts([
      ['CPU', h('span', { 'data-metric': 'cpu' }, percent(t.cpuPercent))],
      ['Memory', h('span', { 'data-metric': 'memory' }, `${percent((t.memoryUsedBytes / (t.memoryTotalBytes || 1)) * 100)} (${bytes(t.memoryUsedBytes)} of ${bytes(t.memoryTotalBytes)})`)],
      ['Disk free', bytes(t.diskFreeBytes)],
      ['Load', t.load.map((l) => l.toFixed(2)).join(' / ')],
      ['GPUs', t.gpus.length ? t.gpus.map((g) => `#${g.index} ${g.name}: ${percent(g.utilisationPercent)}, ${bytes(g.memoryUsedBytes)} of ${bytes(g.memoryTotalBytes)}`).join('; ') : 'none'],
    ]) : notice('No heartbeat yet.', 'muted'));

    const hist = detail.history;
    const gpu = hist.filter((p) => p.gpuPercent !== null && p.gpuPercent !== undefined);
    const chart = (label, points, metric) => h('figure.chart', { 'data-chart': metric },
      h('figcaption', label), sparkline(points, { width: 320, height: 64, label }));
    clear(charts, 
      chart('CPU %', hist.map((p) => ({ at: p.at, value: p.cpuPercent })), 'cpu'),
      chart('Memory %', hist.map((p) => ({ at: p.at, value: p.memoryPercent })), 'memory'),
      gpu.length ? chart('GPU %', gpu.map((p) => ({ at: p.at, value: p.gpuPercent })), 'gpu') : null,
      h('p.muted.small', hist.length ? `${hist.length} samples from ${dateTime(hist[0].at)} to ${dateTime(hist[hist.length - 1].at)}: raw for the last hour, one-minute means before.` : 'No history yet.'));

    clear(events, table([
      { label: 'When', value: (e) => dateTime(e.at) },
      { label: 'What', value: (e) => e.kind },
      { label: 'Detail', value: (e) => e.detail },
    ], detail.events.slice().reverse(), { empty: 'Nothing has happened to this node yet.' }));

    clear(datasets, table([
      { label: 'Dataset', value: (d) => d.name },
      { label: 'Rows', class: 'num', value: (d) => String(d.rows) },
      { label: 'Schema hash', value: (d) => h('code', d.schemaHash.slice(0, 16)) },
    ], n.datasets, { empty: 'The agent reports no datasets.' }));

    const org = access.organisation(n.organisationId);
    clear(actions, 
      drainButton(n, load, messages),
      actionButton('Revoke node', {
        allowed: access.can('nodes:manage', org),
        reason: access.needs('nodes:manage', org),
        kind: 'danger',
        name: 'revoke',
        onClick: (event) => {
          if (!confirm(`Revoke ${n.hostname}? Its credentials stop working at once; it must enrol again with a new token.`)) return;
          run(messages, async () => {
            await api.del(`/api/v1/auth/nodes/${id}`);
            clear(messages, notice(`${n.hostname} is revoked: its next request is refused.`, 'info'));
          }, event.currentTarget);
        },
      }),
      h('a.button.secondary', { href: `#/tasks${api.query({ nodeId: id })}` }, 'Tasks on this node'));
  }
  await run(head, load);
  ctx.every(POLL_MS, () => run(head, load));
}
