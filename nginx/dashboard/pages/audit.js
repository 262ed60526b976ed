// The audit log: the hash chain's status (every entry checked; the first broken one named) and
// the entries, newest page first.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, table, section, run, dateTime, notice, actionButton } from '../ui.js';

const PAGE = 50;

export async function render(page, ctx) {
  page.append(title('Audit log'));
  if (!access.can('audit:read')) {
    page.append(notice(`Reading the audit log: ${access.needs('audit:read', access.platform)} (auditors and platform administrators have it).`, 'muted'));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const body = h('div');
  const pager = h('div.actions-row');
  page.append(section('Chain status', status), section('Entries', pager, body));

  const verify = async () => {
    clear(status, h('p.muted', 'Verifying the chain…'));
    const v = await api.get('/api/v1/audit/verify');
    clear(status, v.intact
      ? h('p.chain.intact', { 'data-chain': 'intact' }, `Intact: all ${v.entriesChecked} entries link and hash correctly.`)
      : h('div.chain.broken', { 'data-chain': 'broken', role: 'alert' },
        h('strong', `Broken at entry ${v.firstBrokenSequence}`),
        h('p', `${v.problem || 'an entry does not match its hash or link'}. ${v.entriesChecked} entries were checked.`)),
    actionButton('Verify again', { allowed: true, onClick: (event) => run(status, verify, event.currentTarget), name: 'verify' }));
    return v.entriesChecked;
  };
  const total = (await run(status, verify)) || 0;

  let after = ctx.query.has('after') ? Math.max(0, Number(ctx.query.get('after')) || 0) : Math.max(0, total - PAGE);
  const load = async () => {
    const entries = await api.get(`/api/v1/audit${api.query({ after, limit: PAGE })}`);
    clear(body, table([
      { label: '#', class: 'num', value: (e) => String(e.sequence) },
      { label: 'When', value: (e) => dateTime(e.at) },
      { label: 'Actor', value: (e) => h('code', e.actor) },
      { label: 'Action', value: (e) => e.action },
      { label: 'Target', value: (e) => h('code', e.target) },
      { label: 'Outcome', value: (e) => h(`span.outcome.${e.outcome}`, e.outcome) },
      { label: 'Details', value: (e) => h('code.details', e.details === '{}' ? '' : e.details) },
      { label: 'Hash', value: (e) => h('code', { title: e.hash }, e.hash.slice(0, 12)) },
    ], entries.slice().reverse(), { empty: 'No entries in this range.' }));
    const first = entries.length ? entries[0].sequence : after + 1;
    clear(pager, 
      h('span.muted', entries.length ? `Entries ${first}–${entries[entries.length - 1].sequence} of ${total}` : ''),
      actionButton('Older', { allowed: after > 0, reason: 'This is the first page.', onClick: () => { after = Math.max(0, after - PAGE); run(body, load); }, name: 'older' }),
      actionButton('Newer', { allowed: entries.length === PAGE, reason: 'This is the newest page.', onClick: () => { after += PAGE; run(body, load); }, name: 'newer' }));
  };
  await run(body, load);
}
