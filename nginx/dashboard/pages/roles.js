// Roles: built-in and the organisation's custom ones, their permissions and inheritance; the
// permission catalogue; creating a custom role (roles:manage).

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, select, lowerId, badge } from '../ui.js';

export async function render(page, ctx) {
  page.append(title('Roles & permissions'));
  const orgs = access.visibleOrganisations();
  const chosen = ctx.query.get('organisationId') || lowerId((orgs.find((o) => lowerId(o.id) === lowerId(access.user().organisationId)) || orgs[0] || {}).id) || '';
  const orgSelect = select('organisationId', [['', 'Built-in roles only'], ...orgs.map((o) => [lowerId(o.id), o.name])], { value: chosen });
  orgSelect.addEventListener('change', () => { location.hash = `#/roles${api.query({ organisationId: orgSelect.value })}`; });
  const list = h('div');
  page.append(section('Roles', h('form.filters', field('Custom roles of', orgSelect)), list));
  let roles = [];
  const catalogue = await api.get('/api/v1/roles/permissions');
  await run(list, async () => {
    roles = await api.get(`/api/v1/roles${api.query({ organisationId: chosen })}`);
    const nameOf = (rid) => (roles.find((r) => lowerId(r.id) === lowerId(rid)) || {}).name || lowerId(rid).slice(0, 8);
    clear(list, table([
      { label: 'Role', value: (r) => h('a', { href: `#/roles/${lowerId(r.id)}` }, r.name) },
      { label: 'Kind', value: (r) => (r.builtIn ? badge('built-in', 'info') : badge('custom', 'draining')) },
      { label: 'Inherits', value: (r) => r.inherits.map(nameOf).join(', ') || '—' },
      { label: 'Permissions (direct)', value: (r) => h('span.perm-list', r.permissions.join(', ') || '—') },
    ], roles, { rowAttrs: (r) => ({ 'data-role': r.name }) }));
  });

  // ---- create ------------------------------------------------------------------------------
  const managed = orgs.filter((o) => access.can('roles:manage', access.organisation(o.id)));
  if (!managed.length) {
    page.append(section('Create a custom role', notice('Creating roles needs the roles:manage permission in an organisation (organisation administrators have it).', 'muted')));
  } else {
    const org = select('organisationId', managed.map((o) => [lowerId(o.id), o.name]), { value: chosen });
    const name = h('input', { name: 'name', required: true, minlength: 2, maxlength: 60 });
    const description = h('input', { name: 'description', maxlength: 500 });
    const boxes = catalogue.map((p) => h('label.check', h('input', { type: 'checkbox', name: 'permission', value: p.name }), ` ${p.name}`, p.critical ? h('span.critical', ' (critical)') : null));
    const parents = h('select', { name: 'inherits', multiple: true, size: 4 }, roles.map((r) => h('option', { value: lowerId(r.id) }, r.name)));
    const submit = h('button.primary', { type: 'submit' }, 'Create role');
    const form = h('form.grid-form', field('Organisation', org), field('Name', name), field('Description', description),
      h('fieldset.permissions', h('legend', 'Permissions'), boxes), field('Inherits from', parents, 'Ctrl/Cmd-click to choose several.'), h('div.actions', submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, async () => {
        const permissions = [...form.querySelectorAll('input[name=permission]:checked')].map((b) => b.value);
        const role = await api.post('/api/v1/roles', {
          organisationId: org.value, name: name.value.trim(), description: description.value.trim(), permissions,
          inherits: [...parents.selectedOptions].map((o) => o.value),
        });
        toast(`Role ${role.name} created.`);
        location.hash = `#/roles/${lowerId(role.id)}`;
      }, submit);
    });
    page.append(section('Create a custom role', form));
  }

  page.append(section('Every permission', table([
    { label: 'Permission', value: (p) => h('code', p.name) },
    { label: 'What it allows', value: (p) => p.summary },
    { label: 'Two-person rule', value: (p) => (p.critical ? badge('needs approval', 'draining') : '') },
  ], catalogue)));
}
