// One task: its requirement, every attempt with each node's verdict (eligible, or every reason
// it was refused), and the state transitions.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, section, run, lowerId, badge, dateTime, facts, actionButton, toast } from '../ui.js';

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  const head = h('div');
  const requirement = h('div');
  const attempts = h('div');
  const transitions = h('div');
  const messages = h('div');
  page.append(h('p.crumbs', h('a', { href: '#/tasks' }, 'Tasks'), ' / '), head, messages,
    section('Requirement', requirement), section('Attempts and decisions', attempts), section('Transitions', transitions));

  async function load() {
    const t = await api.get(`/api/v1/tasks/${id}`);
    const fed = access.federation(t.federationId);
    clear(head, 
      title(`Task ${t.kind} ${id.slice(0, 8)}`),
      h('p', badge(t.state), ' ', h('span.muted', `attempt ${t.attempt} of ${t.maxAttempts}`)),
      facts([
        ['Federation', h('a', { href: `#/federations/${lowerId(t.federationId)}` }, lowerId(t.federationId))],
        ['Participant', access.organisationName(t.organisationId) || lowerId(t.organisationId)],
        ['Node', t.nodeId ? h('a', { href: `#/nodes/${lowerId(t.nodeId)}` }, lowerId(t.nodeId)) : 'none'],
        ['Assignment', t.assignment],
        ['Reference', t.reference],
        ['Progress', t.progress === null || t.progress === undefined ? null : `${Math.round(t.progress * 100)} %`],
        ['Error', t.error],
        ['Result', t.result ? h('code', JSON.stringify(t.result)) : null],
        ['Created', dateTime(t.createdAt)],
        ['Deadline', dateTime(t.deadlineAt)],
      ]),
      t.state === 'pending' || t.state === 'assigned' || t.state === 'running'
        ? actionButton('Cancel task', {
          allowed: access.can('jobs:cancel', fed),
          reason: access.needs('jobs:cancel', fed),
          kind: 'danger',
          name: 'cancel',
          onClick: (event) => run(messages, async () => {
            await api.post(`/api/v1/tasks/${id}/cancel`);
            toast('Task cancelled.');
            await load();
          }, event.currentTarget),
        }) : null);
    const r = t.requirement;
    clear(requirement, facts([
      ['vCPUs', `at least ${r.minimumVCPUs}`],
      ['Memory', `at least ${r.minimumMemoryGB} GB`],
      ['GPUs', `at least ${r.minimumGPUs}`],
      ['Free disk', `at least ${r.minimumFreeDiskGB} GB`],
      ['Dataset', r.dataset || 'any'],
      ['CPU utilisation', `at most ${Math.round(r.maximumCPUUtilisation * 100)} %`],
      ['Memory utilisation', `at most ${Math.round(r.maximumMemoryUtilisation * 100)} %`],
      ['Heartbeat', `within ${r.heartbeatFreshnessSeconds} s`],
    ]));
    clear(attempts, ...(t.attempts.length ? t.attempts.map((a) => h('article.attempt', { 'data-attempt': a.attempt },
      h('h3', `Attempt ${a.attempt}: `, badge(a.outcome)),
      h('p.muted', `Decided ${dateTime(a.decidedAt)}${a.endedAt ? `, ended ${dateTime(a.endedAt)}` : ''}${a.nodeId ? ` · node ${lowerId(a.nodeId).slice(0, 8)}` : ''}`),
      a.reason ? h('p', a.reason) : null,
      table([
        { label: 'Node', value: (v) => h('a', { href: `#/nodes/${lowerId(v.nodeId)}` }, v.hostname) },
        { label: 'Verdict', value: (v) => (v.eligible ? badge('eligible', 'active') : badge('refused', 'failed')) },
        { label: 'Reasons', value: (v) => (v.reasons.length ? h('ul.reasons', v.reasons.map((x) => h('li', x))) : '—') },
      ], a.verdicts, { empty: 'No node of this participant was considered.', caption: `Node verdicts, attempt ${a.attempt}` })))
      : [h('p.muted', 'Not decided yet.')]));
    clear(transitions, table([
      { label: 'When', value: (x) => dateTime(x.at) },
      { label: 'From', value: (x) => x.from || '—' },
      { label: 'To', value: (x) => badge(x.to) },
      { label: 'Node', value: (x) => (x.nodeId ? lowerId(x.nodeId).slice(0, 8) : '—') },
      { label: 'Why', value: (x) => x.reason || '—' },
    ], t.transitions));
  }
  await run(head, load);
  ctx.every(4000, () => run(messages, load));
}
