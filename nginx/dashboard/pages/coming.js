// Pages whose services are still being written: said plainly, with nothing to click.

import { h, title, section } from '../ui.js';

const PAGES = {
  jobs: ['Jobs', 'coordinator', 'Create training jobs with their strategy, defences and privacy settings, and follow each round live: loss and accuracy, participants, stragglers and failures.'],
  models: ['Models', 'registry', 'Every global model version with its metrics, the best one, downloads, and promotion to production through an approval.'],
  costs: ['Costs', 'costs', 'Spend by day, provider and component, and each federation\'s budget with its thresholds.'],
  placement: ['Placement', 'placement', 'Where the aggregator should run: constraints and preferences in, the Pareto front of cost against latency out, then deploy.'],
};

export async function render(page, ctx) {
  const entry = PAGES[ctx.params.service];
  if (!entry) {
    page.append(title('Not found'), h('p', 'There is no such page.'));
    return;
  }
  const [name, service, what] = entry;
  page.append(title(name), section(`Arrives with the ${service} service`,
    h('p', what),
    h('p.muted', `This page is built when the ${service} service's API lands; until then there is nothing here to use.`)));
}
