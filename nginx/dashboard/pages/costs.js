// A federation's costs: the metered total for a span of days by component, provider, region and
// day; its budgets with this period's spend and the thresholds that fired; the provider bill
// read from AWS Cost Explorer with a credential kept by governance.

import * as api from '../api.js';
import * as access from '../access.js';
import { bars } from '../chart.js';
import { h, clear, title, federationChoice, table, field, section, run, toast, select, lowerId, notice, actionButton, dateTime } from '../ui.js';

const usd = (text) => `$${Number(text).toFixed(2)}`;

export async function render(page, ctx) {
  const choice = await federationChoice(page, ctx, { heading: 'Costs', permission: 'costs:read', what: 'costs' });
  if (!choice) return;
  const federation = choice.chosen;
  const scope = access.federation(federation);
  const fedSelect = choice.select;
  const from = h('input', { type: 'date', name: 'from', value: ctx.query.get('from') || '' });
  const to = h('input', { type: 'date', name: 'to', value: ctx.query.get('to') || '' });
  const apply = h('button.secondary', { type: 'submit', 'data-action': 'show' }, 'Show');
  const filters = h('form.filters', { role: 'search' }, field('Federation', fedSelect), field('From', from, 'default: the start of this month'), field('To', to), apply);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/costs${api.query({ federationId: fedSelect.value, from: from.value, to: to.value })}`;
  });
  fedSelect.addEventListener('change', () => filters.requestSubmit());

  const summary = h('div', { 'data-costs': '' });
  const budgets = h('div');
  const billing = h('div');
  const messages = h('div', { 'aria-live': 'polite' });
  page.append(section('Span', filters), section('Metered costs', messages, summary), section('Budgets', budgets), section('Provider bill (AWS)', billing));

  async function loadReport() {
    const report = await api.get(`/api/v1/costs/${federation}${api.query({ from: from.value, to: to.value })}`);
    const chartOf = (label, amounts) => h('figure.chart.wide', { 'data-chart': label },
      h('figcaption', `By ${label}`),
      amounts.length ? bars(amounts.map((a) => ({ label: a.key, value: a.nanoDollars, text: usd(a.usd) })), { label: `cost by ${label}` }) : h('p.muted', 'Nothing metered in this span.'));
    clear(summary,
      h('p.total', h('strong', { 'data-total': report.total.usd }, `${usd(report.total.usd)}`), ` from ${report.from} to ${report.to}`),
      Object.keys(report.unpriced || {}).length ? notice(`Not priced: ${Object.entries(report.unpriced).map(([k, n]) => `${n} × ${k}`).join(', ')}`, 'warn') : null,
      h('div.charts', chartOf('component', report.byComponent), chartOf('provider', report.byProvider), chartOf('day', report.byDay)),
      table([
        { label: 'Day', value: (r) => r.day },
        { label: 'Provider', value: (r) => r.provider },
        { label: 'Region', value: (r) => r.region },
        { label: 'Component', value: (r) => r.component },
        { label: 'USD', class: 'num', value: (r) => usd(r.usd) },
      ], report.rows, { empty: 'No usage has been metered for this federation in this span.' }));
  }

  async function loadBudgets() {
    const list = (await api.get(`/api/v1/budgets${api.query({ federationId: federation })}`)).budgets;
    const form = h('div');
    clear(budgets, table([
      { label: 'Period', value: (b) => `${b.period} (${b.windowStart} to ${b.windowEnd})` },
      { label: 'Limit', class: 'num', value: (b) => usd(b.limitUSD) },
      { label: 'Spent', class: 'num', value: (b) => `${usd(b.spentUSD)} (${(b.spentRatio * 100).toFixed(1)} %)` },
      { label: 'Used', value: (b) => h('meter', { min: 0, max: 1, value: Math.min(b.spentRatio, 1), high: 0.8, optimum: 0.2, title: `${(b.spentRatio * 100).toFixed(1)} %` }) },
      { label: 'Thresholds', value: (b) => b.thresholdPercents.map((p) => `${p} %`).join(', ') },
      { label: 'Fired', value: (b) => (b.firings.length ? b.firings.map((f) => `${f.thresholdPercent} % on ${dateTime(f.firedAt)}`).join('; ') : 'none') },
    ], list, { empty: 'No budget yet for this federation.', rowAttrs: (b) => ({ 'data-budget': b.limitUSD }) }), form);
    if (!access.can('budgets:manage', scope)) {
      form.append(actionButton('Add budget', { allowed: false, reason: access.needs('budgets:manage', scope), name: 'add-budget' }));
      return;
    }
    const limit = h('input', { name: 'limitUSD', required: true, inputmode: 'decimal', placeholder: '250.00' });
    const period = select('period', [['monthly', 'monthly'], ['weekly', 'weekly'], ['daily', 'daily']]);
    const thresholds = h('input', { name: 'thresholds', value: '50, 80, 100' });
    const submit = h('button.primary', { type: 'submit' }, 'Add budget');
    const budgetForm = h('form.grid-form', { 'data-form': 'new-budget' }, field('Limit (USD)', limit), field('Period', period), field('Thresholds (%)', thresholds), h('div.actions-row', submit));
    form.append(budgetForm);
    budgetForm.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, async () => {
        await api.post('/api/v1/budgets', { federationId: federation, limitUSD: limit.value.trim(), period: period.value,
          thresholdPercents: thresholds.value.split(',').map((t) => Number(t.trim())).filter((n) => !Number.isNaN(n)) });
        toast('Budget added.');
        await loadBudgets();
      }, submit);
    });
  }

  async function loadBilling() {
    const bill = await api.get(`/api/v1/costs/${federation}/billing`);
    const form = h('div');
    clear(billing, bill.days.length
      ? table([
        { label: 'Day', value: (d) => d.day },
        { label: 'USD', class: 'num', value: (d) => usd(d.usd) },
        { label: 'Estimated', value: (d) => (d.estimated ? 'yes' : 'no') },
      ], bill.days)
      : h('p.muted', `No bill read yet. AWS costs tagged ${bill.tagKey} = this federation's id are read with a stored AWS credential.`), form);
    const credentials = (await Promise.all(access.visibleOrganisations()
      .filter((o) => access.can('credentials:read', access.organisation(o.id)))
      .map((o) => api.get(`/api/v1/credentials${api.query({ organisationId: o.id })}`).catch(() => [])))).flat().filter((c) => c.provider === 'aws');
    if (!access.can('budgets:manage', scope) || !credentials.length) {
      form.append(actionButton('Read the AWS bill', {
        allowed: false, name: 'read-bill',
        reason: !access.can('budgets:manage', scope) ? access.needs('budgets:manage', scope) : 'Needs an AWS credential you can read (Cloud credentials).',
      }));
      return;
    }
    const credential = select('credentialId', credentials.map((c) => [c.id, `${c.label} (${c.account})`]));
    const start = h('input', { type: 'date', name: 'start', required: true });
    const end = h('input', { type: 'date', name: 'end', required: true });
    const submit = h('button.primary', { type: 'submit' }, 'Read the AWS bill');
    const billForm = h('form.grid-form', field('Credential', credential), field('From', start), field('To (exclusive)', end), h('div.actions-row', submit));
    form.append(billForm);
    billForm.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, async () => {
        await api.post(`/api/v1/costs/${federation}/billing/aws`, { credentialId: credential.value, start: start.value, end: end.value });
        toast('AWS bill read.');
        await loadBilling();
      }, submit);
    });
  }

  await Promise.all([run(messages, loadReport), run(budgets, loadBudgets), run(billing, loadBilling)]);
}
