// The approvals inbox: critical actions waiting for a second person. Approve or reject needs
// approvals:decide in the request's scope, and nobody decides their own request.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, section, run, field, select, lowerId, badge, dateTime, facts, actionButton, toast, notice } from '../ui.js';

const STATUSES = ['pending', 'approved', 'rejected', 'expired', 'consumed'];

export async function render(page, ctx) {
  page.append(title('Approvals'));
  const status = select('status', [['pending', 'Pending'], ['', 'All'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['expired', 'Expired'], ['consumed', 'Carried out']],
    { value: ctx.query.has('status') ? ctx.query.get('status') : 'pending' });
  status.addEventListener('change', () => { location.hash = `#/approvals?status=${status.value}`; });
  const body = h('div');
  page.append(section('Inbox', h('form.filters', field('Show', status)), body));
  const me = lowerId(access.user().id);

  async function load() {
    // Governance answers 500 to a listing without a status (its query leaves the NULL parameter
    // untyped), so "All" asks for each status and merges.
    const statuses = status.value ? [status.value] : STATUSES;
    const approvals = (await Promise.all(statuses.map((s) => api.get(`/api/v1/approvals${api.query({ status: s })}`))))
      .flat().sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    if (!approvals.length) {
      clear(body, h('p.muted.empty', status.value === 'pending' ? 'Nothing waits for a decision.' : 'No approvals to show.'));
      return;
    }
    clear(body, ...approvals.map((a) => {
      const scope = { kind: a.scope.kind, id: lowerId(a.scope.id) };
      const own = lowerId(a.requestedBy) === me;
      const canDecide = access.can('approvals:decide', scope) && !own;
      const why = own ? 'You asked for this; another person must decide it.' : access.needs('approvals:decide', scope);
      const reason = h('input', { name: 'reason', maxlength: 1000, placeholder: 'optional' });
      const card = h('article.approval', { 'data-approval': lowerId(a.id), 'data-status': a.status });
      const decide = (verb) => (event) => run(card, async () => {
        await api.post(`/api/v1/approvals/${lowerId(a.id)}/${verb}`, reason.value.trim() ? { reason: reason.value.trim() } : {});
        toast(verb === 'approve' ? 'Approved: the action is carried out.' : 'Rejected.');
        await load();
      }, event.currentTarget);
      card.append(
        h('h3', a.summary, ' ', badge(a.status)),
        facts([
          ['Action', h('code', a.action)],
          ['Permission', h('code', a.permission)],
          ['Scope', access.scopeText(scope)],
          ['Requested by', own ? 'you' : lowerId(a.requestedBy)],
          ['Requested', dateTime(a.createdAt)],
          ['Expires', dateTime(a.expiresAt)],
          a.decidedBy ? ['Decided by', lowerId(a.decidedBy) === me ? 'you' : lowerId(a.decidedBy)] : null,
          a.reason ? ['Reason', a.reason] : null,
        ]),
        a.status === 'pending' ? h('div.decide',
          canDecide ? field('Reason', reason) : null,
          actionButton('Approve', { allowed: canDecide, reason: why, kind: 'primary', onClick: decide('approve'), name: 'approve' }),
          ' ',
          actionButton('Reject', { allowed: canDecide, reason: why, kind: 'danger', onClick: decide('reject'), name: 'reject' })) : null);
      return card;
    }));
  }
  await run(body, load);
  if (!access.canAnywhere('approvals:read') && !access.canAnywhere('approvals:decide')) {
    page.append(notice('You see only your own requests: reading others\' needs approvals:read.', 'muted'));
  }
}
