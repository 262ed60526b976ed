// Training jobs of a federation: the list (refreshed while any runs) and the form that creates
// one with its strategy, defence and privacy options. The form is shown to those who may create
// jobs in the chosen federation; everyone else sees why not.

import * as api from '../api.js';
import * as access from '../access.js';
import { h, clear, title, federationChoice, table, field, section, run, toast, select, lowerId, badge, ago, notice, actionButton } from '../ui.js';

const STRATEGIES = [['fedavg', 'FedAvg'], ['fedprox', 'FedProx (proximalMu)'], ['fedavgm', 'FedAvgM'], ['fedadam', 'FedAdam'], ['fedyogi', 'FedYogi'], ['fedadagrad', 'FedAdagrad']];
const DEFENCES = [['', 'None (weighted mean)'], ['fedmedian', 'FedMedian'], ['fedtrimmedavg', 'FedTrimmedAvg (beta)'], ['krum', 'Krum / Multi-Krum (numMaliciousClients, numClientsToKeep)'],
  ['bulyan', 'Bulyan (numMaliciousClients)'], ['fedqv', 'FedQV (budget, theta)'], ['reputation', 'Reputation (lambda, threshold, …)']];
const CLIPPINGS = [['', 'None'], ['client-fixed', 'Client-side fixed clipping'], ['server-fixed', 'Server-side fixed clipping'], ['server-adaptive', 'Server-side adaptive clipping']];

/** "a=1, b=2" → {a: 1, b: 2}; a malformed pair is an error naming the field. */
export function parsePairs(text, fieldName) {
  const result = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=').map((p) => p && p.trim());
    const number = Number(value);
    if (!key || value === undefined || value === '' || !Number.isFinite(number)) {
      throw new api.ApiError(400, { title: 'Not sent', detail: `${fieldName}: "${part}" is not name=number`, errors: [{ field: fieldName, reason: 'write name=number pairs separated by commas' }] });
    }
    result[key] = number;
  }
  return result;
}

export function stateBadge(job) {
  return badge(job.state, { queued: 'pending', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled' }[job.state] || job.state);
}

export async function render(page, ctx) {
  const choice = await federationChoice(page, ctx, { heading: 'Jobs', permission: 'jobs:read', what: 'jobs' });
  if (!choice) return;
  const chosen = choice.chosen;
  const fedSelect = choice.select;
  fedSelect.addEventListener('change', () => { location.hash = `#/jobs${api.query({ federationId: fedSelect.value })}`; });
  const scope = access.federation(chosen);

  const listBody = h('div');
  const listMessages = h('div');
  page.append(section('Jobs in the federation', h('form.filters', { role: 'search' }, field('Federation', fedSelect)), listMessages, listBody));

  async function load() {
    const { jobs } = await api.get(`/api/v1/jobs${api.query({ federationId: chosen })}`);
    clear(listBody, table([
      { label: 'Job', value: (j) => h('a', { href: `#/jobs/${lowerId(j.id)}` }, j.name) },
      { label: 'State', value: (j) => stateBadge(j) },
      { label: 'Rounds', class: 'num', value: (j) => `${j.completedRounds} / ${j.spec.rounds}` },
      { label: 'Strategy', value: (j) => j.spec.strategy.name + (j.spec.defence ? ` + ${j.spec.defence.name}` : '') + (j.spec.privacy ? ' + DP' : '') },
      { label: 'Latest accuracy', class: 'num', value: (j) => {
        const evaluated = j.rounds.filter((r) => r.evaluationAccuracy !== undefined && r.evaluationAccuracy !== null);
        return evaluated.length ? evaluated[evaluated.length - 1].evaluationAccuracy.toFixed(3) : '—';
      } },
      { label: 'Created', value: (j) => ago(j.createdAt) },
    ], jobs.slice().reverse(), { empty: 'No jobs yet in this federation.', rowAttrs: (j) => ({ 'data-job': j.name, 'data-state': j.state }) }));
    return jobs;
  }
  await run(listMessages, load);
  ctx.every(3000, () => run(listMessages, load));

  // ---- the form --------------------------------------------------------------------------
  const creating = h('div');
  page.append(section('New job', creating));
  if (!access.can('jobs:create', scope)) {
    creating.append(notice(access.needs('jobs:create', scope), 'muted'), actionButton('Create job', { allowed: false, reason: access.needs('jobs:create', scope), name: 'create-job' }));
    return;
  }
  const input = (name, value, attrs = {}) => h('input', { name, value, ...attrs });
  const f = {
    name: input('name', '', { required: true, maxlength: 120 }),
    dataset: input('dataset', 'digits', { required: true }),
    architecture: select('architecture', [['logistic', 'Logistic regression'], ['mlp', 'Multilayer perceptron']]),
    inputs: input('inputs', '64', { type: 'number', min: 1 }),
    classes: input('classes', '10', { type: 'number', min: 2 }),
    hidden: input('hidden', '', { placeholder: 'e.g. 32, 16 (MLP only)' }),
    strategy: select('strategy', STRATEGIES),
    strategyHp: input('strategyHp', '', { placeholder: 'e.g. eta=0.01' }),
    rounds: input('rounds', '10', { type: 'number', min: 1 }),
    minFitClients: input('minFitClients', '1', { type: 'number', min: 1 }),
    fractionFit: input('fractionFit', '1', { type: 'number', min: 0.01, max: 1, step: 0.01 }),
    deadline: input('deadline', '120', { type: 'number', min: 10 }),
    epochs: input('epochs', '1', { type: 'number', min: 1 }),
    batchSize: input('batchSize', '32', { type: 'number', min: 1 }),
    learningRate: input('learningRate', '0.05', { type: 'number', step: 'any', min: 0 }),
    evaluateEvery: input('evaluateEvery', '1', { type: 'number', min: 0 }),
    defence: select('defence', DEFENCES),
    defenceHp: input('defenceHp', '', { placeholder: 'e.g. numMaliciousClients=1' }),
    clipping: select('clipping', CLIPPINGS),
    noiseMultiplier: input('noiseMultiplier', '1.0', { type: 'number', step: 'any', min: 0 }),
    clippingNorm: input('clippingNorm', '1.0', { type: 'number', step: 'any', min: 0 }),
    targetEpsilon: input('targetEpsilon', '', { type: 'number', step: 'any', min: 0, placeholder: 'optional' }),
    requireApproval: h('input', { type: 'checkbox', name: 'requireApproval' }),
  };
  const formMessages = h('div', { 'aria-live': 'polite' });
  const submit = h('button.primary', { type: 'submit' }, 'Create job');
  const form = h('form.grid-form', { 'data-form': 'new-job' },
    field('Name', f.name), field('Dataset', f.dataset, 'each participant\'s agent must hold <dataset>.csv'),
    field('Model', f.architecture), field('Inputs', f.inputs), field('Classes', f.classes), field('Hidden layers', f.hidden),
    field('Strategy', f.strategy), field('Strategy hyperparameters', f.strategyHp),
    field('Rounds', f.rounds), field('Participants per round (at least)', f.minFitClients), field('Share of participants asked', f.fractionFit),
    field('Round deadline (s)', f.deadline), field('Local epochs', f.epochs), field('Batch size', f.batchSize), field('Learning rate', f.learningRate),
    field('Evaluate every k rounds (0: never)', f.evaluateEvery),
    field('Defence against poisoned updates', f.defence), field('Defence hyperparameters', f.defenceHp),
    field('Differential privacy', f.clipping), field('Noise multiplier', f.noiseMultiplier), field('Clipping norm', f.clippingNorm),
    field('Target ε (stop when spent)', f.targetEpsilon),
    field('Needs a second person\'s approval', f.requireApproval),
    h('div.actions-row', submit));
  creating.append(formMessages, form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(formMessages, async () => {
      const number = (el) => Number(el.value);
      const hidden = f.hidden.value.split(',').map((v) => v.trim()).filter(Boolean).map(Number);
      const spec = {
        federationId: chosen, name: f.name.value.trim(), dataset: f.dataset.value.trim(),
        model: { architecture: f.architecture.value, inputs: number(f.inputs), hiddenLayers: f.architecture.value === 'mlp' ? hidden : [], classes: number(f.classes) },
        strategy: { name: f.strategy.value, hyperparameters: parsePairs(f.strategyHp.value, 'strategy.hyperparameters') },
        rounds: number(f.rounds), fractionFit: number(f.fractionFit), minFitClients: number(f.minFitClients), minAvailableClients: number(f.minFitClients),
        roundDeadlineSeconds: number(f.deadline),
        local: { epochs: number(f.epochs), batchSize: number(f.batchSize), learningRate: number(f.learningRate), momentum: 0.9, weightDecay: 0 },
        evaluateEvery: number(f.evaluateEvery), seed: Math.floor(Math.random() * 1e9),
        requireApproval: f.requireApproval.checked || undefined,
      };
      if (f.defence.value) spec.defence = { name: f.defence.value, hyperparameters: parsePairs(f.defenceHp.value, 'defence.hyperparameters') };
      if (f.clipping.value) {
        spec.privacy = { clipping: f.clipping.value, noiseMultiplier: number(f.noiseMultiplier), clippingNorm: number(f.clippingNorm) };
        if (f.targetEpsilon.value) spec.privacy.targetEpsilon = number(f.targetEpsilon);
      }
      const job = await api.post('/api/v1/jobs', spec);
      toast(`Job ${job.name} queued.`);
      location.hash = `#/jobs/${lowerId(job.id)}`;
    }, submit);
  });
}
