// Federations overview: every federation the caller can see, its members, its nodes up and
// down, its running jobs and this month's cost against its budget; a form to create one
// (federations:create in an organisation).

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, select, lowerId, dateTime } from '../ui.js';

export async function render(page, ctx) {
  page.append(title('Federations'));
  const invitations = h('div');
  const list = h('div');
  page.append(invitations, section('Your federations', list));

  // Invitations to organisations the caller may accept for: until accepted they grant nothing,
  // not even reading the federation, so they are answered here.
  function drawInvitations(federations) {
    const open = federations.flatMap((f) => f.members
      .filter((m) => m.status === 'invited' && access.can('federations:join', access.organisation(m.organisationId)))
      .map((m) => ({ federation: f, organisationId: lowerId(m.organisationId) })));
    if (!open.length) { clear(invitations, ); return; }
    const box = h('div');
    box.append(table([
      { label: 'Federation', value: (i) => i.federation.name },
      { label: 'Invites', value: (i) => access.organisationName(i.organisationId) || i.organisationId },
      { label: 'Owner', value: (i) => access.organisationName(i.federation.ownerOrganisationId) || lowerId(i.federation.ownerOrganisationId) },
      { label: 'Action', value: (i) => h('button.primary', { type: 'button', 'data-action': 'accept', onclick: (event) => run(box, async () => {
        await api.post(`/api/v1/federations/${lowerId(i.federation.id)}/invitations/${i.organisationId}/accept`);
        await access.refresh(); // membership brings new grants
        toast(`Joined ${i.federation.name}.`);
        await load();
      }, event.currentTarget) }, 'Accept invitation') },
    ], open, { rowAttrs: (i) => ({ 'data-invitation': i.federation.name }) }));
    clear(invitations, section('Invitations waiting for you', box));
  }

  async function load() {
    const [federations, nodeList] = await Promise.all([
      api.get('/api/v1/federations'),
      access.canAnywhere('nodes:read') ? api.get('/api/v1/nodes').catch(() => ({ nodes: [] })) : { nodes: [] },
    ]);
    if (!ctx.current()) return;
    drawInvitations(federations);
    // Jobs and this month's cost, where the caller may read them (a federation whose answer
    // fails shows a dash rather than hiding the others).
    const extras = new Map(await Promise.all(federations.map(async (f) => {
      const scope = access.federation(f.id);
      const id = lowerId(f.id);
      const [jobs, cost, budgets] = await Promise.all([
        access.can('jobs:read', scope) ? api.get(`/api/v1/jobs${api.query({ federationId: id })}`).then((r) => r.jobs).catch(() => null) : null,
        access.can('costs:read', scope) ? api.get(`/api/v1/costs/${id}`).catch(() => null) : null,
        access.can('costs:read', scope) ? api.get(`/api/v1/budgets${api.query({ federationId: id })}`).then((r) => r.budgets).catch(() => null) : null,
      ]);
      return [id, { jobs, cost, budget: (budgets || []).find((b) => b.period === 'monthly') }];
    })));
    const nodesBy = new Map();
    for (const node of nodeList.nodes) {
      const key = lowerId(node.federationId);
      const counts = nodesBy.get(key) || { up: 0, down: 0, other: 0 };
      if (node.status === 'active') counts.up += 1;
      else if (node.status === 'inactive' || node.status === 'failed') counts.down += 1;
      else counts.other += 1;
      nodesBy.set(key, counts);
    }
    clear(list, table([
      { label: 'Federation', value: (f) => (access.can('federations:read', access.federation(f.id))
        ? h('a', { href: `#/federations/${lowerId(f.id)}` }, f.name)
        : h('span', f.name, h('span.why', ' — your organisation is a member, but you hold no role in this federation yet; its owner can grant one'))) },
      { label: 'Owner', value: (f) => access.organisationName(f.ownerOrganisationId) || lowerId(f.ownerOrganisationId) },
      { label: 'Members', value: (f) => {
        const active = f.members.filter((m) => m.status === 'active').length;
        const invited = f.members.length - active;
        return `${active} active${invited ? `, ${invited} invited` : ''}`;
      } },
      { label: 'Nodes up / down', value: (f) => {
        const c = nodesBy.get(lowerId(f.id)) || { up: 0, down: 0, other: 0 };
        return h('span', h('span.up', `${c.up} up`), ' / ', h('span.down', `${c.down} down`), c.other ? ` (${c.other} draining)` : '');
      } },
      { label: 'Running jobs', value: (f) => {
        const jobs = (extras.get(lowerId(f.id)) || {}).jobs;
        if (!jobs) return '—';
        const running = jobs.filter((j) => j.state === 'running');
        const queued = jobs.filter((j) => j.state === 'queued').length;
        return h('span', { 'data-running': String(running.length) }, running.length ? running.map((j) => h('a', { href: `#/jobs/${lowerId(j.id)}` }, j.name)).reduce((acc, el) => (acc.length ? [...acc, ', ', el] : [el]), []) : 'none',
          queued ? ` (${queued} queued)` : '');
      } },
      { label: 'This month', value: (f) => {
        const { cost, budget } = extras.get(lowerId(f.id)) || {};
        if (!cost) return '—';
        const spent = `$${Number(cost.total.usd).toFixed(2)}`;
        return h('span', { 'data-cost': cost.total.usd }, budget ? `${spent} of $${Number(budget.limitUSD).toFixed(2)} (${(budget.spentRatio * 100).toFixed(0)} %)` : `${spent} (no monthly budget)`);
      } },
      { label: 'Created', value: (f) => dateTime(f.createdAt) },
    ], federations, { empty: 'No federations yet.', rowAttrs: (f) => ({ 'data-federation': f.name }) }));
  }

  await run(list, load);
  ctx.every(10000, () => run(list, load));

  // ---- create ------------------------------------------------------------------------------
  const owners = access.organisationsWhere('federations:create');
  if (!owners.length && access.canAnywhere('federations:create')) {
    page.append(section('Create a federation', notice('A federation is owned by an organisation: create an organisation first (Organisations & users).', 'muted')));
    return;
  }
  if (!owners.length) {
    page.append(section('Create a federation', notice(
      'You cannot create federations: that needs the federations:create permission in an organisation (organisation administrators have it).', 'muted')));
    return;
  }
  const name = h('input', { name: 'name', required: true, minlength: 2, maxlength: 120 });
  const owner = select('owner', owners.map((o) => [lowerId(o.id), o.name]));
  const submit = h('button.primary', { type: 'submit' }, 'Create federation');
  const form = h('form.inline-form', field('Name', name), field('Owner organisation', owner), h('div.actions', submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form, async () => {
      const created = await api.post('/api/v1/federations', { name: name.value.trim(), ownerOrganisationId: owner.value });
      toast(`Federation ${created.name} created.`);
      location.hash = `#/federations/${lowerId(created.id)}`;
    }, submit);
  });
  page.append(section('Create a federation', form));
}
