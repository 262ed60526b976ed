// One federation: members (invite, accept), node enrolment tokens, its nodes, and deletion
// (which waits for a second person's approval).

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, select, lowerId, dateTime, actionButton, badge, facts, ago, percent } from '../ui.js';

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  let federation;
  try {
    federation = await api.get(`/api/v1/federations/${id}`);
  } catch (error) {
    page.append(title('Federation'));
    throw error;
  }
  const scope = { ...access.federation(id), name: federation.name };
  const orgName = (orgId) => access.organisationName(orgId) || lowerId(orgId);
  page.append(
    h('p.crumbs', h('a', { href: '#/federations' }, 'Federations'), ' / '),
    title(federation.name),
    facts([
      ['Owner', orgName(federation.ownerOrganisationId)],
      ['Created', dateTime(federation.createdAt)],
      ['Id', h('code', id)],
    ]));

  // ---- members -----------------------------------------------------------------------------
  const members = h('div');
  const drawMembers = () => clear(members, table([
    { label: 'Organisation', value: (m) => orgName(m.organisationId) },
    { label: 'Status', value: (m) => badge(m.status) },
    { label: 'Action', value: (m) => {
      if (m.status !== 'invited') return '';
      const org = access.organisation(m.organisationId);
      return actionButton('Accept invitation', {
        allowed: access.can('federations:join', org),
        reason: access.needs('federations:join', org),
        name: 'accept',
        onClick: (event) => run(members, async () => {
          federation = await api.post(`/api/v1/federations/${id}/invitations/${lowerId(m.organisationId)}/accept`);
          toast(`${orgName(m.organisationId)} joined ${federation.name}.`);
          drawMembers();
        }, event.currentTarget),
      });
    } },
  ], federation.members, { rowAttrs: (m) => ({ 'data-member': orgName(m.organisationId) }) }));
  drawMembers();

  const memberIds = new Set(federation.members.map((m) => lowerId(m.organisationId)));
  let invite;
  if (access.can('federations:invite', scope)) {
    const candidates = access.visibleOrganisations().filter((o) => !memberIds.has(lowerId(o.id)));
    const orgInput = h('input', { name: 'organisationId', list: 'invite-orgs', required: true, placeholder: 'organisation id', pattern: '[0-9a-fA-F-]{36}' });
    const options = h('datalist', { id: 'invite-orgs' }, candidates.map((o) => h('option', { value: lowerId(o.id) }, o.name)));
    const submit = h('button.primary', { type: 'submit' }, 'Invite');
    invite = h('form.inline-form', field('Organisation to invite', orgInput,
      candidates.length ? 'Pick from the list or paste an organisation id.' : 'Paste the organisation id its administrator gave you.'), options, h('div.actions', submit));
    invite.addEventListener('submit', (event) => {
      event.preventDefault();
      run(invite, async () => {
        federation = await api.post(`/api/v1/federations/${id}/invitations`, { organisationId: orgInput.value.trim().toLowerCase() });
        await access.refresh(); // the invited organisation may be new to this page
        toast('Invitation sent; an administrator of that organisation accepts it.');
        orgInput.value = '';
        drawMembers();
      }, submit);
    });
  } else {
    invite = notice(`Inviting organisations: ${access.needs('federations:invite', scope)}`, 'muted');
  }
  page.append(section('Members', members, invite));

  // ---- enrolment tokens --------------------------------------------------------------------
  const enrolOrgs = federation.members
    .filter((m) => m.status === 'active' && access.can('enrolment-tokens:create', access.organisation(m.organisationId)))
    .map((m) => [lowerId(m.organisationId), orgName(m.organisationId)]);
  let enrol;
  if (enrolOrgs.length) {
    const org = select('organisationId', enrolOrgs);
    const minutes = h('input', { type: 'number', name: 'expiresInMinutes', min: 1, max: 10080, value: 60 });
    const submit = h('button.primary', { type: 'submit' }, 'Create enrolment token');
    const shown = h('div.token-out', { 'aria-live': 'polite' });
    enrol = h('form.inline-form', field('For organisation', org), field('Valid for (minutes)', minutes), h('div.actions', submit), shown);
    enrol.addEventListener('submit', (event) => {
      event.preventDefault();
      run(enrol, async () => {
        const created = await api.post(`/api/v1/federations/${id}/enrolment-tokens`, { organisationId: org.value, expiresInMinutes: Number(minutes.value) });
        clear(shown, 
          notice('Shown once: copy it now. It enrols one node and expires at the time below.', 'warn'),
          h('pre.token', { 'data-token': created.token }, created.token),
          h('p', 'On the node: ', h('code', `cumulus-agent enroll --gateway ${location.origin} --token ${created.token}`)),
          h('p.muted', `Expires ${dateTime(created.expiresAt)}.`));
      }, submit);
    });
  } else {
    enrol = notice('Enrolling nodes needs the enrolment-tokens:create permission in a member organisation (organisation administrators and node operators have it).', 'muted');
  }
  page.append(section('Enrol a node', enrol));

  // ---- nodes -------------------------------------------------------------------------------
  const nodes = h('div');
  page.append(section('Nodes', nodes));
  const loadNodes = async () => {
    const list = await api.get(`/api/v1/nodes${api.query({ federationId: id })}`);
    clear(nodes, table([
      { label: 'Node', value: (n) => h('a', { href: `#/nodes/${lowerId(n.id)}` }, n.hostname) },
      { label: 'Organisation', value: (n) => orgName(n.organisationId) },
      { label: 'Status', value: (n) => badge(n.status) },
      { label: 'CPU', value: (n) => percent(n.telemetry && n.telemetry.cpuPercent) },
      { label: 'Last heartbeat', value: (n) => ago(n.lastHeartbeatAt) },
    ], list.nodes, { empty: 'No nodes have registered in this federation yet.' }));
  };
  if (access.can('nodes:read', scope) || access.canAnywhere('nodes:read')) {
    await run(nodes, loadNodes);
    ctx.every(5000, () => run(nodes, loadNodes));
  } else {
    nodes.append(notice(access.needs('nodes:read', scope), 'muted'));
  }

  // ---- delete ------------------------------------------------------------------------------
  const danger = h('div');
  danger.append(
    h('p', 'Deleting a federation needs a second person: it opens an approval that another user holding approvals:decide must approve.'),
    actionButton('Ask to delete this federation', {
      allowed: access.can('federations:delete', scope),
      reason: access.needs('federations:delete', scope),
      kind: 'danger',
      name: 'delete-federation',
      onClick: (event) => {
        if (!confirm(`Ask for approval to delete ${federation.name}?`)) return;
        run(danger, async () => {
          const { approval } = await api.del(`/api/v1/federations/${id}`);
          danger.append(notice(`Approval requested (${approval.summary}); it expires ${dateTime(approval.expiresAt)}. See Approvals.`, 'info'));
        }, event.currentTarget);
      },
    }));
  page.append(section('Delete', danger));
}
