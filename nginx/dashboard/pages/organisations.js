// Organisations the caller can see, and creating one with its first administrator
// (orgs:create, held by platform administrators).

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, lowerId, dateTime } from '../ui.js';

export async function render(page) {
  page.append(title('Organisations & users'));
  const list = h('div');
  page.append(section('Organisations', list));
  await run(list, async () => {
    const orgs = await api.get('/api/v1/orgs');
    clear(list, table([
      { label: 'Organisation', value: (o) => h('a', { href: `#/organisations/${lowerId(o.id)}` }, o.name) },
      { label: 'Id', value: (o) => h('code', lowerId(o.id)) },
      { label: 'Created', value: (o) => dateTime(o.createdAt) },
    ], orgs, { empty: 'You belong to no organisation and cannot see any.', rowAttrs: (o) => ({ 'data-organisation': o.name }) }));
  });

  if (!access.can('orgs:create')) {
    page.append(section('Create an organisation', notice(`Creating organisations: ${access.needs('orgs:create', access.platform)}`, 'muted')));
    return;
  }
  const name = h('input', { name: 'name', required: true, minlength: 2, maxlength: 120 });
  const email = h('input', { name: 'adminEmail', type: 'email', required: true, autocomplete: 'off' });
  const display = h('input', { name: 'adminName', required: true, maxlength: 200 });
  const password = h('input', { name: 'adminPassword', type: 'password', required: true, minlength: 12, autocomplete: 'new-password' });
  const submit = h('button.primary', { type: 'submit' }, 'Create organisation');
  const form = h('form.grid-form',
    field('Name', name),
    field('Administrator email', email),
    field('Administrator name', display),
    field('Administrator password', password, 'At least 12 characters; give it to the administrator, who should keep it secret.'),
    h('div.actions', submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form, async () => {
      const created = await api.post('/api/v1/orgs', {
        name: name.value.trim(),
        admin: { email: email.value.trim(), displayName: display.value.trim(), password: password.value },
      });
      password.value = '';
      toast(`Organisation ${created.name} created with its administrator.`);
      location.hash = `#/organisations/${lowerId(created.id)}`;
    }, submit);
  });
  page.append(section('Create an organisation', form));
}
