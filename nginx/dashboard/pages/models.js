// Model versions of a federation (optionally one job): metrics per round as a chart, the best
// version for a metric with the reason, download with the SHA-256 checked in the browser, staging,
// and promotion to production through a second person's approval.

import * as api from '../api.js';
import * as access from '../access.js';
import { lineChart } from '../chart.js';
import { h, clear, title, federationChoice, table, field, section, run, toast, select, lowerId, badge, notice, actionButton, bytes, shortId, ago } from '../ui.js';

async function sha256Hex(data) {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function render(page, ctx) {
  const choice = await federationChoice(page, ctx, { heading: 'Models', permission: 'models:read', what: 'models' });
  if (!choice) return;
  const federation = choice.chosen;
  const scope = access.federation(federation);
  const { jobs } = await api.get(`/api/v1/jobs${api.query({ federationId: federation })}`).catch(() => ({ jobs: [] }));
  const jobId = lowerId(ctx.query.get('jobId')) || '';
  const fedSelect = choice.select;
  const jobSelect = select('jobId', [['', 'All jobs'], ...jobs.map((j) => [lowerId(j.id), j.name])], { value: jobId });
  const wantedMetric = ctx.query.get('metric');
  const metricSelect = select('metric', [['accuracy', 'accuracy (highest)'], ['loss', 'loss (lowest)'], ['trainLoss', 'train loss (lowest)']], { value: wantedMetric || 'accuracy' });
  const go = () => { location.hash = `#/models${api.query({ federationId: fedSelect.value, jobId: fedSelect.value === federation ? jobSelect.value : '', metric: metricSelect.value })}`; };
  [fedSelect, jobSelect, metricSelect].forEach((s) => s.addEventListener('change', go));

  const chart = h('figure.chart.wide', { 'data-chart': 'metrics' });
  const best = h('div', { 'data-best': '' });
  const list = h('div');
  const messages = h('div', { 'aria-live': 'polite' });
  page.append(section('Filter', h('form.filters', { role: 'search' }, field('Federation', fedSelect), field('Job', jobSelect), field('Best by', metricSelect))),
    section('Metrics per round', chart), section('Recommended version', best), section('Versions', messages, list));

  async function load() {
    const { versions } = await api.get(`/api/v1/models/versions${api.query({ federationId: federation, jobId })}`);
    // Without a choice, the best is judged by the first metric the versions have.
    if (!wantedMetric) {
      metricSelect.value = ['accuracy', 'loss', 'trainLoss'].find((m) => versions.some((v) => Number.isFinite(v.metrics[m]))) || 'accuracy';
    }
    const approvals = access.can('approvals:read', scope) || access.can('models:promote', scope)
      ? await api.get('/api/v1/approvals').catch(() => []) : [];
    const promotion = (v) => approvals.filter((a) => a.action === 'models.promote' && lowerId(a.payload.versionId) === lowerId(v.id))
      .sort((a, b) => new Date(b.createdAt) - new Date(a.createdAt))[0];

    const metric = (name) => versions.filter((v) => Number.isFinite(v.metrics[name])).map((v) => ({ x: v.round, y: v.metrics[name] }));
    clear(chart, h('figcaption', jobId ? 'Accuracy and loss of each round\'s global model' : 'Choose a job to chart its rounds'),
      jobId ? lineChart([
        { name: 'accuracy', points: metric('accuracy'), className: 'accuracy', min: 0, max: 1 },
        { name: 'loss', points: metric('loss'), className: 'eval-loss' },
        { name: 'train loss', points: metric('trainLoss'), className: 'loss' },
      ], { label: 'model metrics' }) : null);

    if (jobId) {
      try {
        const answer = await api.get(`/api/v1/models/best${api.query({ jobId, metric: metricSelect.value })}`);
        clear(best, h('p', h('strong', `Round ${answer.version.round}: ${metricSelect.value} ${answer.value.toFixed(4)}`), ' — ', answer.reason),
          h('p.muted.small', `SHA-256 ${answer.version.sha256}`));
      } catch (error) {
        clear(best, notice(error instanceof api.ApiError ? (error.problem.detail || error.problem.title) : String(error), 'muted'));
      }
    } else {
      clear(best, notice('Choose a job to see which version is best.', 'muted'));
    }

    clear(list, table([
      { label: 'Job', value: (v) => h('a', { href: `#/jobs/${lowerId(v.jobId)}` }, v.jobName) },
      { label: 'Round', class: 'num', value: (v) => String(v.round) },
      { label: 'Stage', value: (v) => badge(v.stage, v.stage === 'production' ? 'succeeded' : v.stage === 'archived' ? 'cancelled' : 'pending') },
      { label: 'Metrics', value: (v) => Object.entries(v.metrics).sort().map(([k, x]) => `${k} ${x.toFixed(4)}`).join(', ') || '—' },
      { label: 'Size', class: 'num', value: (v) => bytes(v.bytes) },
      { label: 'SHA-256', value: (v) => h('code', v.sha256.slice(0, 12)) },
      { label: 'Created', value: (v) => ago(v.createdAt) },
      { label: 'Actions', value: (v) => h('div.actions-row',
        actionButton('Download', {
          allowed: access.can('models:download', scope), reason: access.needs('models:download', scope), name: 'download',
          onClick: (event) => run(messages, async () => {
            const data = await api.download(`/api/v1/models/blobs/${v.sha256}`);
            const actual = await sha256Hex(data);
            if (actual !== v.sha256) throw new Error(`the download's SHA-256 is ${actual}, not ${v.sha256}; nothing was saved`);
            const link = h('a', { href: URL.createObjectURL(new Blob([data])), download: `${v.jobName}-round-${v.round}.safetensors` });
            document.body.append(link);
            link.click();
            link.remove();
            toast(`Downloaded round ${v.round} (${bytes(data.length)}, SHA-256 checked).`);
          }, event.currentTarget),
        }),
        v.stage === 'none' ? actionButton('Stage', {
          allowed: access.can('models:stage', scope), reason: access.needs('models:stage', scope), name: 'stage',
          onClick: (event) => run(messages, async () => { await api.post(`/api/v1/models/versions/${lowerId(v.id)}/stage`, { stage: 'staging' }); await load(); }, event.currentTarget),
        }) : null,
        v.stage !== 'production' ? promoteButton(v, promotion(v), scope, messages, load) : null) },
    ], versions.slice().reverse(), { empty: 'No model versions yet.', rowAttrs: (v) => ({ 'data-version': `${v.jobName}:${v.round}` }) }));
  }
  await run(messages, load);
  ctx.every(5000, () => run(messages, load));
}

/** Ask for a second person's approval; once approved, complete the promotion with it. */
function promoteButton(version, approval, scope, messages, reload) {
  const allowed = access.can('models:promote', scope);
  const reason = access.needs('models:promote', scope);
  if (approval && approval.status === 'approved') {
    return actionButton('Promote now', {
      allowed, reason, kind: 'primary', name: 'promote',
      onClick: (event) => run(messages, async () => {
        await api.post(`/api/v1/models/versions/${lowerId(version.id)}/stage`, { stage: 'production', approvalId: approval.id });
        toast(`Round ${version.round} is in production.`);
        await reload();
      }, event.currentTarget),
    });
  }
  if (approval && approval.status === 'pending') {
    return h('span.muted', { 'data-approval': 'pending' }, `promotion waits for approval ${shortId(approval.id)}`);
  }
  return actionButton('Ask to promote', {
    allowed, reason, name: 'ask-promote',
    onClick: (event) => run(messages, async () => {
      const created = await api.post('/api/v1/approvals', {
        action: 'models.promote', permission: 'models:promote', scope: { kind: 'federation', id: scope.id },
        summary: `promote ${version.jobName} round ${version.round} to production`, payload: { versionId: lowerId(version.id) },
      });
      toast(`Approval ${shortId(created.id)} opened; another person with approvals:decide must approve it.`);
      await reload();
    }, event.currentTarget),
  });
}
