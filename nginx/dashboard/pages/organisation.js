// One organisation: its users, creating users, and granting roles in the organisation or in a
// federation it belongs to. Admin roles wait for a second person's approval.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, select, lowerId, dateTime, badge, facts } from '../ui.js';

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  const org = await api.get(`/api/v1/orgs/${id}`);
  const scope = access.organisation(id);
  page.append(h('p.crumbs', h('a', { href: '#/organisations' }, 'Organisations'), ' / '), title(org.name),
    facts([['Id', h('code', id)], ['Created', dateTime(org.createdAt)]]),
    h('p', h('a', { href: `#/credentials?organisationId=${id}` }, 'Cloud credentials of this organisation')));

  // ---- users -------------------------------------------------------------------------------
  const users = h('div');
  let userList = [];
  const canReview = access.can('permissions:review', scope);
  const loadUsers = async () => {
    userList = await api.get(`/api/v1/orgs/${id}/users`);
    clear(users, table([
      { label: 'Name', value: (u) => u.displayName },
      { label: 'Email', value: (u) => u.email },
      { label: 'Status', value: (u) => (u.disabled ? badge('disabled', 'failed') : badge('enabled', 'active')) },
      { label: 'Permissions', value: (u) => (canReview ? h('a', { href: `#/users/${lowerId(u.id)}/review` }, 'Review') : h('span.muted', 'needs permissions:review')) },
    ], userList, { rowAttrs: (u) => ({ 'data-user': u.email }) }));
  };
  if (access.can('users:read', scope)) {
    await run(users, loadUsers);
  } else {
    users.append(notice(`Listing users: ${access.needs('users:read', scope)}`, 'muted'));
  }
  page.append(section('Users', users));

  // ---- create a user -----------------------------------------------------------------------
  if (access.can('users:create', scope)) {
    const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' });
    const name = h('input', { name: 'displayName', required: true, maxlength: 200 });
    const password = h('input', { name: 'password', type: 'password', required: true, minlength: 12, autocomplete: 'new-password' });
    const submit = h('button.primary', { type: 'submit' }, 'Create user');
    const form = h('form.grid-form', field('Email', email), field('Name', name), field('Password', password, 'At least 12 characters.'), h('div.actions', submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, async () => {
        const user = await api.post(`/api/v1/orgs/${id}/users`, { email: email.value.trim(), displayName: name.value.trim(), password: password.value });
        password.value = '';
        toast(`User ${user.email} created. They hold no role until you grant one.`);
        form.reset();
        if (access.can('users:read', scope)) await loadUsers();
        drawGrant();
      }, submit);
    });
    page.append(section('Create a user', form));
  } else {
    page.append(section('Create a user', notice(`Creating users: ${access.needs('users:create', scope)}`, 'muted')));
  }

  // ---- grant a role ------------------------------------------------------------------------
  const grant = h('div');
  page.append(section('Grant a role', grant));
  const [roles, federations] = await Promise.all([
    api.get(`/api/v1/roles${api.query({ organisationId: id })}`).catch(() => []),
    api.get('/api/v1/federations').catch(() => []),
  ]);
  const memberOf = federations.filter((f) => f.members.some((m) => lowerId(m.organisationId) === id && m.status === 'active'));
  function drawGrant() {
    const scopes = [[`organisation:${id}`, `organisation ${org.name}`], ...memberOf.map((f) => [`federation:${lowerId(f.id)}`, `federation ${f.name}`])];
    const grantable = scopes.filter(([value]) => {
      const [kind, sid] = value.split(':');
      return access.can('roles:grant', { kind, id: sid }) || access.can('roles:grant-admin', { kind, id: sid });
    });
    if (!grantable.length) {
      clear(grant, notice(`Granting roles: ${access.needs('roles:grant', scope)}`, 'muted'));
      return;
    }
    if (!userList.length) {
      clear(grant, notice('No users to grant a role to (or you cannot list them).', 'muted'));
      return;
    }
    const user = select('userId', userList.map((u) => [lowerId(u.id), `${u.displayName} <${u.email}>`]));
    const role = select('roleId', roles.map((r) => [lowerId(r.id), `${r.name}${r.builtIn ? '' : ' (custom)'}`]), { value: lowerId((roles.find((r) => r.name === 'viewer') || {}).id) });
    const where = select('scope', grantable);
    const submit = h('button.primary', { type: 'submit' }, 'Grant role');
    const form = h('form.grid-form', field('User', user), field('Role', role, 'Admin roles (platform-admin, org-admin) need a second person\'s approval.'), field('Scope', where), h('div.actions', submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, async () => {
        const [kind, sid] = where.value.split(':');
        const answer = await api.requestWithStatus('POST', `/api/v1/roles/${role.value}/bindings`, { userId: user.value, scope: { kind, id: sid } });
        const roleName = role.selectedOptions[0].textContent;
        if (answer.status === 202) {
          form.append(notice(`Granting ${roleName} waits for another person's approval (${answer.data.approval.summary}).`, 'info'));
        } else {
          toast(`Granted ${roleName} in ${where.selectedOptions[0].textContent}.`);
          form.append(notice(`Granted ${roleName} to ${user.selectedOptions[0].textContent} in ${where.selectedOptions[0].textContent}.`, 'info'));
        }
      }, submit);
    });
    clear(grant, form);
  }
  drawGrant();
}
