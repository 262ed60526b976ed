// Cloud credentials of an organisation: what was stored (never a secret), adding one (checked
// with the provider first), and replacing or deleting one (each waits for a second person).

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, field, section, notice, run, toast, select, lowerId, dateTime, actionButton } from '../ui.js';

/** The provider's own field names; secret ones are typed into password inputs. */
const PROVIDERS = {
  aws: { label: 'AWS', fields: [['access_key_id', 'Access key id'], ['secret_access_key', 'Secret access key', true], ['session_token', 'Session token (optional)', true, true]] },
  azure: { label: 'Azure', fields: [['tenant_id', 'Tenant id'], ['client_id', 'Client (application) id'], ['client_secret', 'Client secret', true], ['subscription_id', 'Subscription id (optional)', false, true]] },
  openstack: { label: 'OpenStack', fields: [['auth_url', 'Keystone URL'], ['username', 'User name'], ['password', 'Password', true], ['user_domain_name', 'User domain'], ['project_name', 'Project'], ['project_domain_name', 'Project domain'], ['region_name', 'Region (optional)', false, true]] },
  gcp: { label: 'Google Cloud', json: true },
};

function credentialInputs(provider) {
  const spec = PROVIDERS[provider];
  if (spec.json) {
    const area = h('textarea', { name: 'gcpKey', rows: 6, required: true, spellcheck: 'false', placeholder: '{"type": "service_account", …}' });
    return {
      nodes: [field('Service-account key (JSON)', area, 'Paste the whole key file; the private key is sealed and never shown again.')],
      read: () => {
        let parsed;
        try { parsed = JSON.parse(area.value); } catch { throw new Error('The service-account key is not valid JSON.'); }
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      },
    };
  }
  const inputs = spec.fields.map(([name, label, secret, optional]) => [name, h('input', { name, type: secret ? 'password' : 'text', required: !optional, autocomplete: 'off' }), label]);
  return {
    nodes: inputs.map(([, input, label]) => field(label, input)),
    read: () => Object.fromEntries(inputs.filter(([, input]) => input.value.trim()).map(([name, input]) => [name, input.value.trim()])),
  };
}

export async function render(page, ctx) {
  page.append(title('Cloud credentials'));
  const readable = access.organisationsWhere('credentials:read');
  if (!readable.length) {
    page.append(notice('Seeing cloud credentials needs the credentials:read permission in an organisation (the viewer role has it).', 'muted'));
    return;
  }
  const chosen = lowerId(ctx.query.get('organisationId')) || lowerId((readable.find((o) => lowerId(o.id) === lowerId(access.user().organisationId)) || readable[0]).id);
  const orgSelect = select('organisationId', readable.map((o) => [lowerId(o.id), o.name]), { value: chosen });
  orgSelect.addEventListener('change', () => { location.hash = `#/credentials?organisationId=${orgSelect.value}`; });
  const scope = access.organisation(chosen);
  const list = h('div');
  const messages = h('div', { 'aria-live': 'polite' });
  page.append(section('Stored credentials', h('form.filters', field('Organisation', orgSelect)), messages, list));

  const load = async () => {
    const credentials = await api.get(`/api/v1/credentials?organisationId=${chosen}`);
    clear(list, table([
      { label: 'Label', value: (c) => c.label },
      { label: 'Provider', value: (c) => (PROVIDERS[c.provider] || { label: c.provider }).label },
      { label: 'Account', value: (c) => c.account },
      { label: 'Principal', value: (c) => h('code', c.principal) },
      { label: 'Public fields', value: (c) => Object.entries(c.publicFields).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 40)}…` : v}`).join(', ') },
      { label: 'Checked', value: (c) => dateTime(c.validatedAt) },
      { label: 'Actions', value: (c) => h('span.row-actions',
        actionButton('Delete', {
          allowed: access.can('credentials:delete', scope),
          reason: access.needs('credentials:delete', scope),
          kind: 'danger',
          name: 'delete',
          onClick: (event) => {
            if (!confirm(`Ask for approval to delete ${c.label}?`)) return;
            run(messages, async () => {
              const { approval } = await api.del(`/api/v1/credentials/${lowerId(c.id)}`);
              clear(messages, notice(`Deletion waits for another person's approval: ${approval.summary}.`, 'info'));
            }, event.currentTarget);
          },
        })) },
    ], credentials, { empty: 'This organisation has stored no cloud credentials.' }));
  };
  await run(list, load);

  // ---- add or replace ------------------------------------------------------------------------
  if (!access.can('credentials:create', scope)) {
    page.append(section('Add a credential', notice(`Adding credentials: ${access.needs('credentials:create', scope)}`, 'muted')));
    return;
  }
  const provider = select('provider', Object.entries(PROVIDERS).map(([k, v]) => [k, v.label]));
  const label = h('input', { name: 'label', required: true, maxlength: 80 });
  const specific = h('div.provider-fields');
  let inputs = credentialInputs('aws');
  clear(specific, ...inputs.nodes);
  provider.addEventListener('change', () => { inputs = credentialInputs(provider.value); clear(specific, ...inputs.nodes); });
  const submit = h('button.primary', { type: 'submit' }, 'Check and store');
  const form = h('form.grid-form', field('Provider', provider), field('Label', label), specific,
    h('p.muted.small', 'Cumulus checks the credential with the provider before storing it, seals it (AES-GCM) and never returns the secret.'),
    h('div.actions', submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form, async () => {
      const created = await api.post('/api/v1/credentials', { organisationId: chosen, provider: provider.value, label: label.value.trim(), credential: inputs.read() });
      toast(`Stored ${created.label}: account ${created.account}.`);
      form.reset();
      inputs = credentialInputs(provider.value);
      clear(specific, ...inputs.nodes);
      await load();
    }, submit);
  });
  page.append(section('Add a credential', form));
}
