// Each service's liveness and readiness through the gateway, and its API description.

import * as api from '../api.js';
import { h, clear, title, table, section, badge } from '../ui.js';

const SERVICES = ['governance', 'orchestrator', 'coordinator', 'registry', 'costs', 'placement'];

export async function render(page, ctx) {
  page.append(title('Service health'));
  const body = h('div');
  page.append(section('Services', body), h('p', 'Public signing keys: ', h('a', { href: '/.well-known/jwks.json' }, '/.well-known/jwks.json')));
  const load = async () => {
    const rows = await Promise.all(SERVICES.map(async (name) => {
      const [alive, ready] = await Promise.all([
        api.probe(`/api/v1/${name}/healthz`).catch(() => ({ ok: false, status: 0 })),
        api.probe(`/api/v1/${name}/readyz`).catch(() => ({ ok: false, status: 0 })),
      ]);
      return { name, alive, ready };
    }));
    clear(body, table([
      { label: 'Service', value: (r) => r.name },
      { label: 'Alive', value: (r) => (r.alive.ok ? badge('alive', 'active') : badge(`down (${r.alive.status || 'no answer'})`, 'failed')) },
      { label: 'Ready', value: (r) => (r.ready.ok ? badge('ready', 'active') : badge(`not ready (${r.ready.status || 'no answer'})`, 'failed')) },
      { label: 'Why not', value: (r) => (r.ready.ok ? '' : (r.ready.body && (r.ready.body.detail || JSON.stringify(r.ready.body))) || '') },
      { label: 'API', value: (r) => h('a', { href: `/api/v1/${r.name}/openapi.yaml` }, 'openapi.yaml') },
    ], rows, { rowAttrs: (r) => ({ 'data-service': r.name }) }));
  };
  await load();
  ctx.every(10000, load);
}
