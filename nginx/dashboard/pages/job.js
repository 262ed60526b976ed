// One job, live: its settings, a chart of loss and accuracy per round that updates as the
// coordinator's server-sent events arrive, every round's participants (asked, answered,
// stragglers with why, the defence's verdicts, ε spent, the secure sum), cancel and approve.

import * as api from '../api.js';
import * as access from '../access.js';
import { lineChart } from '../chart.js';
import { stateBadge } from './jobs.js';
import { h, clear, title, table, section, run, toast, lowerId, badge, facts, dateTime, actionButton, notice, shortId } from '../ui.js';

export async function render(page, ctx) {
  const id = lowerId(ctx.params.id);
  const head = h('div');
  const chart = h('figure.chart.wide', { 'data-chart': 'rounds' });
  const live = h('p.muted.small', { 'aria-live': 'polite', 'data-live': 'events' });
  const rounds = h('div');
  const actions = h('div.actions-row');
  const messages = h('div', { 'aria-live': 'polite' });
  page.append(h('p.crumbs', h('a', { href: '#/jobs' }, 'Jobs'), ' / '), head, section('Progress', live, chart), section('Actions', messages, actions),
    section('Rounds', rounds));

  let events = 0;
  async function load() {
    const job = await api.get(`/api/v1/jobs/${id}`);
    const scope = access.federation(job.federationId);
    const spec = job.spec;
    clear(head, title(`Job ${job.name}`), h('p', stateBadge(job), ' ', h('span.muted', `${job.completedRounds} of ${spec.rounds} rounds`)),
      job.error ? notice(`Failed: ${job.error}`, 'warn') : null,
      job.stopReason ? notice(`Stopped early: ${job.stopReason}`, 'info') : null,
      facts([
        ['Federation', h('a', { href: `#/federations/${lowerId(job.federationId)}` }, lowerId(job.federationId))],
        ['Model', `${spec.model.architecture} ${[spec.model.inputs, ...spec.model.hiddenLayers, spec.model.classes].join('→')}`],
        ['Dataset', spec.dataset],
        ['Strategy', `${spec.strategy.name} ${Object.entries(spec.strategy.hyperparameters || {}).map(([k, v]) => `${k}=${v}`).join(' ')}`],
        ['Defence', spec.defence ? `${spec.defence.name} ${Object.entries(spec.defence.hyperparameters || {}).map(([k, v]) => `${k}=${v}`).join(' ')}` : 'none'],
        ['Privacy', spec.privacy ? `${spec.privacy.clipping}, noise ×${spec.privacy.noiseMultiplier}, norm ${spec.privacy.clippingNorm}${spec.privacy.targetEpsilon ? `, target ε ${spec.privacy.targetEpsilon}` : ''}` : 'none'],
        ['Aggregator', job.aggregator ? `${job.aggregator.site.provider} ${job.aggregator.site.region} ${job.aggregator.site.instanceType} (deployment ${shortId(job.aggregator.deploymentId)})` : 'the coordinator'],
        ['Created', `${dateTime(job.createdAt)} by ${job.createdBy}`],
        ['Approved by', job.approvedBy],
        ['Global model', job.globalModelHash ? h('code', job.globalModelHash.slice(0, 16)) : null],
      ]));

    const byRound = (key) => job.rounds.filter((r) => r[key] !== undefined && r[key] !== null).map((r) => ({ x: r.round, y: r[key] }));
    clear(chart, h('figcaption', 'Loss and accuracy per round'),
      lineChart([
        { name: 'train loss', points: byRound('trainLoss'), className: 'loss' },
        { name: 'evaluation loss', points: byRound('evaluationLoss'), className: 'eval-loss' },
        { name: 'accuracy', points: byRound('evaluationAccuracy'), className: 'accuracy', min: 0, max: 1 },
      ], { label: `Job ${job.name}` }));

    clear(rounds, table([
      { label: 'Round', class: 'num', value: (r) => String(r.round) },
      { label: 'State', value: (r) => badge(r.state, r.state === 'closed' ? 'succeeded' : r.state === 'failed' ? 'failed' : 'running') },
      { label: 'Answered', class: 'num', value: (r) => `${r.accepted.length} / ${r.invited.length}` },
      { label: 'Examples', class: 'num', value: (r) => String(r.examples) },
      { label: 'Train loss', class: 'num', value: (r) => (r.trainLoss === undefined || r.trainLoss === null ? '—' : r.trainLoss.toFixed(4)) },
      { label: 'Accuracy', class: 'num', value: (r) => (r.evaluationAccuracy === undefined || r.evaluationAccuracy === null ? '—' : r.evaluationAccuracy.toFixed(3)) },
      { label: 'ε', class: 'num', value: (r) => (r.epsilon === undefined || r.epsilon === null ? '—' : r.epsilon.toFixed(3)) },
      { label: 'Stragglers and failures', value: (r) => {
        const entries = Object.entries(r.stragglers || {});
        const refused = r.rejectedUpdates ? [`${r.rejectedUpdates} update(s) refused`] : [];
        return entries.length || refused.length
          ? h('ul.plain', entries.map(([org, why]) => h('li', `${access.organisationName(org) || shortId(org)}: ${why}`)), refused.map((t) => h('li', t)))
          : '—';
      } },
      { label: 'Defence', value: (r) => (r.verdicts && r.verdicts.length
        ? h('ul.plain', r.verdicts.map((v) => h('li', { 'data-verdict': v.decision }, `${access.organisationName(v.organisationId) || shortId(v.organisationId)}: ${v.decision}, ${(v.influence * 100).toFixed(1)} % — ${v.reason}`)))
        : '—') },
      // Secure aggregation: who is in the sum, the threshold, who dropped where, attempts aborted.
      ...(spec.secureAggregation ? [{ label: 'Secure sum', value: (r) => (r.secure
        ? h('ul.plain', { 'data-secure': 'summary' },
          h('li', `${r.secure.contributors.length} of ${r.secure.joined} joined in the sum (t = ${r.secure.threshold})`),
          Object.entries(r.secure.dropped || {}).map(([node, stage]) => h('li', `node ${shortId(node)} dropped at ${stage}`)),
          (r.secure.abortedAttempts || []).map((why) => h('li', `aborted ${why}`)))
        : '—') }] : []),
    ], job.rounds.slice().reverse(), { empty: 'No round has opened yet (the job waits for its turn and for participants).', rowAttrs: (r) => ({ 'data-round': String(r.round) }) }));

    const open = !['succeeded', 'failed', 'cancelled'].includes(job.state);
    clear(actions,
      open ? actionButton('Cancel job', {
        allowed: access.can('jobs:cancel', scope), reason: access.needs('jobs:cancel', scope), kind: 'danger', name: 'cancel',
        onClick: (event) => {
          if (!confirm(`Cancel ${job.name}? Its open round is abandoned.`)) return;
          run(messages, async () => { await api.post(`/api/v1/jobs/${id}/cancel`); toast('Job cancelled.'); await load(); }, event.currentTarget);
        },
      }) : h('span.muted', `The job is ${job.state}.`),
      spec.requireApproval && !job.approvedBy && open ? actionButton('Approve job', {
        allowed: access.can('approvals:decide', scope), reason: access.needs('approvals:decide', scope), name: 'approve',
        onClick: (event) => run(messages, async () => { await api.post(`/api/v1/jobs/${id}/approve`); toast('Job approved.'); await load(); }, event.currentTarget),
      }) : null,
      h('a.button.secondary', { href: `#/models${api.query({ federationId: lowerId(job.federationId), jobId: id })}` }, 'Model versions'));
    return job;
  }

  const job = await run(head, load);
  if (!job) return;
  // Live: each event from the coordinator redraws the page; the stream resumes after a drop.
  const controller = new AbortController();
  ctx.onLeave(() => controller.abort());
  let last = null;
  let pending = null;
  const follow = async () => {
    while (ctx.current() && !controller.signal.aborted) {
      try {
        await api.stream(`/api/v1/jobs/${id}/events`, (event) => {
          last = event.id || last;
          events += 1;
          live.textContent = `${events} live update(s); latest: ${event.event}`;
          live.dataset.events = String(events);
          clearTimeout(pending);
          pending = setTimeout(() => run(head, load), 150);
        }, { signal: controller.signal, lastEventId: last });
        const current = await api.get(`/api/v1/jobs/${id}`);
        if (['succeeded', 'failed', 'cancelled'].includes(current.state)) { await run(head, load); live.textContent += ' — the job has ended.'; return; }
      } catch (error) {
        if (controller.signal.aborted) return;
        live.textContent = 'The live stream dropped; reconnecting…';
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  follow();
}
