// Tasks: what the orchestrator was asked to run, where, and how it went.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, run, select, lowerId, badge, dateTime, notice } from '../ui.js';

const STATES = ['pending', 'assigned', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'];

export async function render(page, ctx) {
  page.append(title('Tasks'));
  if (!access.canAnywhere('tasks:read')) {
    page.append(notice('Seeing tasks needs the tasks:read permission (the viewer role has it).', 'muted'));
    return;
  }
  const federations = await api.get('/api/v1/federations').catch(() => []);
  const fedName = (id) => (federations.find((f) => lowerId(f.id) === lowerId(id)) || {}).name || lowerId(id);
  const fed = select('federationId', [['', 'All federations'], ...federations.map((f) => [lowerId(f.id), f.name])], { value: ctx.query.get('federationId') || '' });
  const state = select('state', [['', 'Any state'], ...STATES.map((s) => [s, s])], { value: ctx.query.get('state') || '' });
  const nodeId = ctx.query.get('nodeId') || '';
  const filters = h('form.filters', { role: 'search' }, field('Federation', fed), field('State', state),
    nodeId ? h('p', `On node ${nodeId.slice(0, 8)} · `, h('a', { href: '#/tasks' }, 'all nodes')) : null);
  const go = () => { location.hash = `#/tasks${api.query({ federationId: fed.value, state: state.value, nodeId })}`; };
  fed.addEventListener('change', go);
  state.addEventListener('change', go);
  const body = h('div');
  page.append(section('Recent tasks', filters, body));
  async function load() {
    const list = await api.get(`/api/v1/tasks${api.query({ federationId: fed.value, state: state.value, nodeId, limit: 100 })}`);
    clear(body, table([
      { label: 'Task', value: (t) => h('a', { href: `#/tasks/${lowerId(t.id)}` }, `${t.kind} ${lowerId(t.id).slice(0, 8)}`) },
      { label: 'State', value: (t) => badge(t.state) },
      { label: 'Federation', value: (t) => fedName(t.federationId) },
      { label: 'Participant', value: (t) => access.organisationName(t.organisationId) || lowerId(t.organisationId) },
      { label: 'Attempt', class: 'num', value: (t) => `${t.attempt} of ${t.maxAttempts}` },
      { label: 'Reference', value: (t) => t.reference || '—' },
      { label: 'Updated', value: (t) => dateTime(t.updatedAt) },
    ], list.tasks, { empty: 'No tasks match. Tasks are created by the coordinator (and by operators through the API).', rowAttrs: (t) => ({ 'data-task': lowerId(t.id) }) }));
  }
  await run(body, load);
  ctx.every(5000, () => run(body, load));
}
