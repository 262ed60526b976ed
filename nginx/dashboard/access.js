// Who the caller is and what they may do, from governance's GET /api/v1/auth/me and
// GET /api/v1/auth/permissions. Pages ask can(permission, scope) before they offer an action;
// the services still decide (a stale answer here only means a clear error there).
//
// Governance already expands organisation grants to the federations the organisation owns, so
// a federation-scoped question is answered by a federation grant or a platform grant. Some
// orchestrator actions accept either the node's organisation or its federation: canEither().

import * as api from './api.js';

let me = null;
let grants = [];
let organisations = [];

const lower = (id) => (id ? String(id).toLowerCase() : id);

export const platform = { kind: 'platform' };
export const organisation = (id) => ({ kind: 'organisation', id: lower(id) });
export const federation = (id) => ({ kind: 'federation', id: lower(id) });

/** Reloads identity, grants and the organisations the caller can see. */
export async function refresh() {
  const [user, effective, orgs] = await Promise.all([
    api.get('/api/v1/auth/me'),
    api.get('/api/v1/auth/permissions'),
    api.get('/api/v1/orgs').catch(() => []),
  ]);
  me = user;
  grants = (effective.grants || []).map((g) => ({ permission: g.permission, kind: g.scope.kind, id: lower(g.scope.id) }));
  organisations = orgs || [];
}

export function clear() {
  me = null;
  grants = [];
  organisations = [];
}

export const user = () => me;
export const visibleOrganisations = () => organisations;

export function organisationName(id) {
  const found = organisations.find((o) => lower(o.id) === lower(id));
  return found ? found.name : null;
}

export function can(permission, scope = platform) {
  return grants.some((g) => g.permission === permission &&
    (g.kind === 'platform' || (g.kind === scope.kind && g.id === lower(scope.id))));
}

export function canEither(permission, organisationId, federationId) {
  return can(permission, organisation(organisationId)) || can(permission, federation(federationId));
}

/** Held in at least one scope (for navigation and "is this page any use to me"). */
export function canAnywhere(permission) {
  return grants.some((g) => g.permission === permission);
}

/** Organisations (of those visible) where the caller holds the permission. */
export function organisationsWhere(permission) {
  return organisations.filter((o) => can(permission, organisation(o.id)));
}

export function scopeText(scope) {
  if (!scope || scope.kind === 'platform') return 'the platform';
  if (scope.kind === 'organisation') return `organisation ${organisationName(scope.id) || scope.id}`;
  return `federation ${scope.name || scope.id}`;
}

/** Why an action is unavailable, in words. */
export function needs(permission, scope) {
  return `Needs the ${permission} permission in ${scopeText(scope)}; ask an administrator.`;
}
