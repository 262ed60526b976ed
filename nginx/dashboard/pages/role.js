// One role: its permissions, what it inherits, and the review of its effective permissions
// against what its holders actually used.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, section, run, lowerId, badge, facts, dateTime, notice } from '../ui.js';

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  const role = await api.get(`/api/v1/roles/${id}`);
  const all = await api.get(`/api/v1/roles${api.query({ organisationId: lowerId(role.organisationId) || '' })}`).catch(() => []);
  const nameOf = (rid) => (all.find((r) => lowerId(r.id) === lowerId(rid)) || {}).name || lowerId(rid);
  page.append(h('p.crumbs', h('a', { href: '#/roles' }, 'Roles'), ' / '), title(role.name),
    facts([
      ['Kind', role.builtIn ? 'built-in' : `custom, of ${access.organisationName(role.organisationId) || lowerId(role.organisationId)}`],
      ['Description', role.description],
      ['Inherits', role.inherits.map(nameOf).join(', ') || 'nothing'],
      ['Direct permissions', role.permissions.join(', ') || 'none'],
    ]));
  const review = h('div');
  page.append(section('Review: effective permissions and their use', review));
  const scope = role.organisationId ? access.organisation(role.organisationId) : null;
  if (scope && !access.can('permissions:review', scope)) {
    review.append(notice(`The review of a custom role: ${access.needs('permissions:review', scope)}`, 'muted'));
    return;
  }
  await run(review, async () => {
    const r = await api.get(`/api/v1/roles/${id}/review`);
    clear(review, 
      notice(`${r.items.length} effective permissions; ${r.unusedCount} not used by any holder in the last ${r.windowDays} days.`, r.unusedCount ? 'warn' : 'info'),
      table([
        { label: 'Permission', value: (i) => h('code', i.permission) },
        { label: 'Through', value: (i) => i.via.map((chain) => chain.join(' → ')).join('; ') },
        { label: 'Used', value: (i) => (i.usedInWindow ? badge('used', 'active') : badge('unused', 'inactive')) },
        { label: 'Last used', value: (i) => (i.lastUsedAt ? dateTime(i.lastUsedAt) : '—') },
      ], r.items));
  });
}
