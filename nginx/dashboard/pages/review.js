// A user's permission review: each effective permission, the role chains it comes through,
// and whether the audit log shows it used in the window — so over-broad grants show.

import * as api from '../api.js';
import { h, clear, title, table, section, run, field, select, badge, dateTime, notice } from '../ui.js';

export async function render(page, ctx) {
  const id = ctx.params.id.toLowerCase();
  const days = ctx.query.get('days') || '30';
  page.append(h('p.crumbs', h('a', { href: '#/organisations' }, 'Organisations & users'), ' / '), title('Permission review'));
  const windowSelect = select('days', [['7', '7 days'], ['30', '30 days'], ['90', '90 days'], ['365', '365 days']], { value: days });
  windowSelect.addEventListener('change', () => { location.hash = `#/users/${id}/review?days=${windowSelect.value}`; });
  const body = h('div');
  page.append(section('Effective permissions', h('form.filters', field('Usage window', windowSelect)), body));
  await run(body, async () => {
    const review = await api.get(`/api/v1/users/${id}/permission-review?days=${encodeURIComponent(days)}`);
    clear(body, 
      notice(`${review.items.length} effective permissions; ${review.unusedCount} not used in the last ${review.windowDays} days.`, review.unusedCount ? 'warn' : 'info'),
      table([
        { label: 'Permission', value: (i) => h('code', i.permission) },
        { label: 'Scope', value: (i) => (i.scope.kind === 'platform' ? 'platform' : `${i.scope.kind} ${String(i.scope.id).toLowerCase().slice(0, 8)}`) },
        { label: 'Through', value: (i) => i.via.map((chain) => chain.join(' → ')).join('; ') },
        { label: 'Used', value: (i) => (i.usedInWindow ? badge('used', 'active') : badge('unused', 'inactive')) },
        { label: 'Last used', value: (i) => (i.lastUsedAt ? dateTime(i.lastUsedAt) : '—') },
      ], review.items, { empty: 'This user holds no permissions: grant a role on their organisation\'s page.' }));
  });
}
