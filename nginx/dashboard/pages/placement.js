// The placement wizard: where a federation's aggregator should run. Participants (from the
// federation's nodes, or listed), the model and round plan, constraints and a cost-versus-latency
// preference go in; the exact Pareto front comes out as a scatter of monthly cost against round
// time, with the recommended and knee points highlighted and the baselines beside them; any point
// can be deployed.

import * as api from '../api.js';
import * as access from '../access.js';
import { scatter } from '../chart.js';
import { h, clear, title, federationChoice, table, field, section, run, toast, select, lowerId, notice, actionButton, shortId, badge, ago } from '../ui.js';

const money = (v) => `$${Number(v).toFixed(2)}`;
const seconds = (v) => `${Number(v).toFixed(2)} s`;
const site = (s) => `${s.provider} ${s.region} ${s.instanceType}`;

/** "aws us-east-1 ×2" lines → participants; a bad line is an error naming it. */
function parseParticipants(text) {
  const result = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = line.match(/^(\S+)\s+(\S+)(?:\s*[x×]\s*(\d+))?$/);
    if (!match) {
      throw new api.ApiError(400, { title: 'Not sent', detail: `participants line ${index + 1}: "${line}" is not "provider region" or "provider region ×count"`, errors: [{ field: 'participants', reason: `line ${index + 1} is not "provider region [×count]"` }] });
    }
    result.push({ provider: match[1], region: match[2], count: match[3] ? Number(match[3]) : undefined });
  }
  return result;
}

export async function render(page, ctx) {
  const choice = await federationChoice(page, ctx, { heading: 'Placement', permission: 'placements:read', what: 'placements' });
  if (!choice) return;
  const federation = choice.chosen;
  const scope = access.federation(federation);
  const fedSelect = choice.select;
  fedSelect.addEventListener('change', () => { location.hash = `#/placement${api.query({ federationId: fedSelect.value })}`; });

  const wizard = h('div');
  const result = h('div', { 'data-placement': '' });
  const earlier = h('div');
  const deployments = h('div');
  page.append(section('Federation', h('form.filters', field('Federation', fedSelect))), section('Ask', wizard), section('Answer', result),
    section('Earlier requests', earlier), section('Deployments', deployments));

  const showResult = (placement) => renderPlacement(result, placement, scope, () => run(deployments, loadDeployments));

  // ---- the wizard ------------------------------------------------------------------------
  if (!access.can('placements:create', scope)) {
    wizard.append(notice(access.needs('placements:create', scope), 'muted'), actionButton('Find placements', { allowed: false, reason: access.needs('placements:create', scope), name: 'place' }));
  } else {
    const participants = h('textarea', { name: 'participants', rows: 4, placeholder: 'aws us-east-1\naws eu-central-1 ×2\ngcp europe-west4' });
    const modelMB = h('input', { name: 'modelMB', type: 'number', min: 0.001, step: 'any', value: '100' });
    const rounds = h('input', { name: 'rounds', type: 'number', min: 1, value: '500' });
    const interval = h('input', { name: 'interval', type: 'number', min: 1, value: '3600' });
    const maxCost = h('input', { name: 'maxMonthlyCostUSD', type: 'number', min: 0, step: 'any', placeholder: 'no limit' });
    const maxRound = h('input', { name: 'maxRoundSeconds', type: 'number', min: 0, step: 'any', placeholder: 'no limit' });
    const minVCPU = h('input', { name: 'minVCPU', type: 'number', min: 1, value: '2' });
    const minMemory = h('input', { name: 'minMemoryGB', type: 'number', min: 0, step: 'any', value: '8' });
    const providers = h('input', { name: 'providers', placeholder: 'aws, gcp (all when empty)' });
    const residency = select('residency', [['anywhere', 'anywhere'], ['eu', 'EU only'], ['continents:europe,northAmerica', 'Europe or North America']]);
    const preference = h('input', { name: 'preference', type: 'range', min: 0, max: 1, step: 0.05, value: '0.5' });
    const preferenceText = h('span.muted', '0.50');
    preference.addEventListener('input', () => { preferenceText.textContent = Number(preference.value).toFixed(2); });
    const submit = h('button.primary', { type: 'submit' }, 'Find placements');
    const form = h('form.grid-form', { 'data-form': 'placement' },
      field('Participants', participants, 'one "provider region [×count]" per line; empty: where the federation\'s nodes are'),
      field('Model size (MB)', modelMB), field('Rounds', rounds), field('Seconds between rounds', interval),
      field('Most per month (USD)', maxCost), field('Longest round (s)', maxRound), field('At least vCPU', minVCPU), field('At least memory (GB)', minMemory),
      field('Providers', providers), field('Data residency', residency),
      field('Preference: cost (0) … latency (1)', h('span', preference, ' ', preferenceText)),
      h('div.actions-row', submit));
    const messages = h('div', { 'aria-live': 'polite' });
    wizard.append(messages, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(messages, async () => {
        const listed = parseParticipants(participants.value);
        const number = (el) => (el.value === '' ? undefined : Number(el.value));
        const body = {
          federationId: federation, participants: listed.length ? listed : undefined, modelBytes: Number(modelMB.value) * 1e6,
          rounds: number(rounds), roundIntervalSeconds: number(interval), preference: Number(preference.value),
          constraints: {
            maxMonthlyCostUSD: number(maxCost), maxRoundSeconds: number(maxRound), minVCPU: number(minVCPU), minMemoryGB: number(minMemory),
            allowedProviders: providers.value.trim() ? providers.value.split(',').map((p) => p.trim()).filter(Boolean) : undefined,
            residency: residency.value,
          },
        };
        const placement = await api.post('/api/v1/placements', body);
        toast(`${placement.front.length} Pareto-optimal options.`);
        showResult(placement);
        await run(earlier, loadEarlier);
      }, submit);
    });
  }

  async function loadEarlier() {
    const items = (await api.get(`/api/v1/placements${api.query({ federationId: federation })}`)).placements;
    const show = (summary) => run(result, async () => showResult(await api.get(`/api/v1/placements/${lowerId(summary.id)}`)));
    clear(earlier, table([
      { label: 'When', value: (p) => ago(p.createdAt) },
      { label: 'Mode', value: (p) => p.mode },
      { label: 'Options on the front', class: 'num', value: (p) => String(p.frontSize) },
      { label: 'Recommended', value: (p) => (p.recommended ? `${site(p.recommended.site)} — ${money(p.recommended.monthlyCostUSD)}/month, ${seconds(p.recommended.roundSeconds)}` : '—') },
      { label: '', value: (p) => h('button.link', { type: 'button', 'data-action': 'show', onclick: () => show(p) }, 'Show') },
    ], items.slice().sort((a, b) => new Date(b.createdAt) - new Date(a.createdAt)), { empty: 'No placement asked yet for this federation.' }));
    if (items.length && !result.childElementCount) {
      await show(items.slice().sort((a, b) => new Date(b.createdAt) - new Date(a.createdAt))[0]);
    }
  }

  async function loadDeployments() {
    const list = await api.get(`/api/v1/deployments${api.query({ federationId: federation })}`);
    const items = list.deployments || [];
    clear(deployments, table([
      { label: 'Deployment', value: (d) => h('code', shortId(d.id)) },
      { label: 'Status', value: (d) => badge(d.status, d.status === 'running' ? 'succeeded' : d.status === 'failed' ? 'failed' : 'pending') },
      { label: 'Aggregator', value: (d) => d.aggregators.map((a) => `${a.role}: ${site(a.site)}`).join('; ') },
      { label: 'Endpoint', value: (d) => d.endpoint || '—' },
      { label: 'USD/month', class: 'num', value: (d) => money(d.monthlyCostUSD) },
      { label: 'Action', value: (d) => (d.status === 'running' || d.status === 'stopped'
        ? actionButton(d.status === 'running' ? 'Stop' : 'Start', {
          allowed: access.can('deployments:manage', scope), reason: access.needs('deployments:manage', scope), name: d.status === 'running' ? 'stop' : 'start',
          onClick: (event) => run(deployments, async () => {
            await api.post(`/api/v1/deployments/${lowerId(d.id)}/${d.status === 'running' ? 'stop' : 'start'}`);
            await loadDeployments();
          }, event.currentTarget),
        }) : '—') },
    ], items.slice().reverse(), { empty: 'Nothing deployed for this federation.', rowAttrs: (d) => ({ 'data-deployment': d.status }) }));
  }

  await Promise.all([run(earlier, loadEarlier), run(deployments, loadDeployments)]);
}

/** The front as a scatter and a table, the baselines and savings, and a deploy button per point. */
function renderPlacement(where, placement, scope, afterDeploy) {
  const named = [['recommended', placement.recommended], ['knee', placement.knee], ['cost-first', placement.costFirst], ['latency-first', placement.latencyFirst]];
  const marks = (p) => named.filter(([, q]) => q && q.frontIndex === p.frontIndex).map(([n]) => n);
  const points = [
    ...placement.front.map((p) => ({ x: p.roundSeconds, y: p.monthlyCostUSD, kind: 'front', label: `${site(p.site)}: ${money(p.monthlyCostUSD)}/month, ${seconds(p.roundSeconds)} per round` })),
    ...(placement.knee ? [{ x: placement.knee.roundSeconds, y: placement.knee.monthlyCostUSD, kind: 'knee', label: `knee: ${site(placement.knee.site)}` }] : []),
    ...(placement.recommended ? [{ x: placement.recommended.roundSeconds, y: placement.recommended.monthlyCostUSD, kind: 'recommended', label: `recommended: ${site(placement.recommended.site)}` }] : []),
    ...placement.baselines.filter((b) => b.option).map((b) => ({ x: b.option.roundSeconds, y: b.option.monthlyCostUSD, kind: 'baseline', label: `${b.label}: ${site(b.option.site)}` })),
  ];
  const messages = h('div', { 'aria-live': 'polite' });
  const deploy = (point) => actionButton('Deploy', {
    allowed: access.can('deployments:manage', scope), reason: access.needs('deployments:manage', scope), name: 'deploy',
    onClick: (event) => run(messages, async () => {
      const deployment = await api.post('/api/v1/deployments', { placementId: placement.id, frontIndex: point.frontIndex });
      toast(`Deployment ${shortId(deployment.id)} is ${deployment.status}${deployment.endpoint ? ` at ${deployment.endpoint}` : ''}.`);
      afterDeploy();
    }, event.currentTarget),
  });
  clear(where,
    h('p', `${placement.front.length} Pareto-optimal options for ${placement.participants.length} participant region(s) (${placement.participantsSource}), from ${placement.catalogue.offers} offers.`),
    h('figure.chart.wide', { 'data-chart': 'front' }, h('figcaption', 'Monthly cost against round time: circles are the front, the large ones the recommended and knee points, squares the baselines'),
      scatter(points, { xLabel: 'round time (s)', yLabel: 'USD per month', label: 'Pareto front' })),
    messages,
    table([
      { label: 'Aggregator', value: (p) => site(p.site) + (p.regional ? ` + ${p.regional.length} regional` : '') },
      { label: 'USD/month', class: 'num', value: (p) => money(p.monthlyCostUSD) },
      { label: 'Round', class: 'num', value: (p) => seconds(p.roundSeconds) },
      { label: 'Slowest participant', value: (p) => `${p.bottleneck.provider} ${p.bottleneck.region}` },
      { label: 'Marked', value: (p) => marks(p).join(', ') },
      { label: '', value: (p) => deploy(p) },
    ], placement.front.slice().sort((a, b) => a.monthlyCostUSD - b.monthlyCostUSD), { caption: 'The front, cheapest first', rowAttrs: (p) => ({ 'data-marks': marks(p).join(' ') }) }),
    table([
      { label: 'Baseline', value: (b) => b.label },
      { label: 'Aggregator', value: (b) => (b.option ? site(b.option.site) : b.unavailable || 'unavailable') },
      { label: 'USD/month', class: 'num', value: (b) => (b.option ? money(b.option.monthlyCostUSD) : '—') },
      { label: 'Round', class: 'num', value: (b) => (b.option ? seconds(b.option.roundSeconds) : '—') },
    ], placement.baselines, { caption: 'Baselines' }),
    table([
      { label: 'Point', value: (s) => s.point },
      { label: 'Against', value: (s) => s.baseline },
      { label: 'Cost', class: 'num', value: (s) => `${s.costUSD >= 0 ? '+' : ''}${money(s.costUSD)} (${s.costPercent.toFixed(1)} %)` },
      { label: 'Round time', class: 'num', value: (s) => `${s.roundSeconds >= 0 ? '+' : ''}${seconds(s.roundSeconds)} (${s.roundPercent.toFixed(1)} %)` },
    ], placement.savings.filter((s) => s.point === 'recommended'), { caption: 'The recommended point against each baseline' }));
}
