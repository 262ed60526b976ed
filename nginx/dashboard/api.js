// The one place the dashboard talks to the gateway.
//
// Tokens: the access token lives in memory and in sessionStorage (so a reload in the same tab
// keeps the session, and closing the tab ends it); the rotating refresh token lives in
// sessionStorage too. A request made with an expired access token is refreshed once and
// retried; a refresh that fails ends the session (the app shows the login page).
//
// Errors: every non-2xx answer becomes an ApiError carrying the RFC 9457 problem the service
// sent (title, detail, errors[].field/reason); describeError() turns one into words.

const STORAGE_KEY = 'cumulus.session';
const REFRESH_MARGIN_MS = 30_000;

let session = readStored();
let refreshing = null;
const endListeners = new Set();

function readStored() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function store(pair) {
  session = {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: Date.now() + pair.expiresIn * 1000,
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

function forget() {
  session = null;
  sessionStorage.removeItem(STORAGE_KEY);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Sentences a person can read, from an ApiError or any other failure. */
export function describeError(error) {
  if (error instanceof ApiError) {
    const p = error.problem;
    return {
      title: p.title || `Request failed (HTTP ${error.status})`,
      detail: p.detail || '',
      fields: Array.isArray(p.errors) ? p.errors.map((e) => ({ field: e.field, reason: e.reason, limit: e.limit })) : [],
      requestId: p.requestId || '',
    };
  }
  if (error instanceof TypeError) {
    return { title: 'The gateway could not be reached', detail: 'Check your connection and try again.', fields: [], requestId: '' };
  }
  return { title: 'Something went wrong', detail: String(error && error.message ? error.message : error), fields: [], requestId: '' };
}

export function isLoggedIn() {
  return session !== null;
}

/** Called with a reason when the session ends without the person logging out. */
export function onSessionEnd(listener) {
  endListeners.add(listener);
  return () => endListeners.delete(listener);
}

async function parseBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return { title: 'Unreadable answer', detail: text.slice(0, 300) };
    }
  }
  return text;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const data = await parseBody(response);
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : { title: `HTTP ${response.status}`, detail: typeof data === 'string' ? data.slice(0, 300) : '' };
    throw new ApiError(response.status, problem);
  }
  return { status: response.status, data };
}

function endSession(reason) {
  forget();
  for (const listener of endListeners) listener(reason);
}

/** One refresh at a time: concurrent requests wait for the same rotation. */
async function refresh() {
  if (!session) throw new ApiError(401, { title: 'Not logged in', detail: 'Log in to continue.' });
  if (!refreshing) {
    const refreshToken = session.refreshToken;
    refreshing = send('POST', '/api/v1/auth/refresh', { refreshToken })
      .then(({ data }) => store(data))
      .catch((error) => {
        const reason = error instanceof ApiError ? describeError(error).detail : 'the session could not be renewed';
        endSession(reason || 'your session expired');
        throw error;
      })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** An authenticated request; answers the parsed body (or null for 204). */
export async function request(method, path, body) {
  if (!session) throw new ApiError(401, { title: 'Not logged in', detail: 'Log in to continue.' });
  if (session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await refresh();
  try {
    return (await send(method, path, body, session.accessToken)).data;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !session) throw error;
    await refresh();
    return (await send(method, path, body, session.accessToken)).data;
  }
}

/** Like request(), but also answers the HTTP status (202 means "waiting for an approval"). */
export async function requestWithStatus(method, path, body) {
  if (!session) throw new ApiError(401, { title: 'Not logged in', detail: 'Log in to continue.' });
  if (session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await refresh();
  try {
    return await send(method, path, body, session.accessToken);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !session) throw error;
    await refresh();
    return send(method, path, body, session.accessToken);
  }
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/** Unauthenticated GET (health probes). */
export async function probe(path) {
  const response = await fetch(path, { cache: 'no-store', credentials: 'omit' });
  return { ok: response.ok, status: response.status, body: await parseBody(response) };
}

export async function login(email, password) {
  const { data } = await send('POST', '/api/v1/auth/login', { email, password });
  store(data);
}

/** Revokes the refresh token's family at governance, then forgets the tokens either way. */
export async function logout() {
  const current = session;
  forget();
  if (!current) return;
  try {
    await send('POST', '/api/v1/auth/logout', { refreshToken: current.refreshToken });
  } catch {
    // The tokens are gone from this browser; an unreachable gateway cannot change that.
  }
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Follows a text/event-stream (fetch, so the bearer token goes along; EventSource cannot send
 * it). Calls onEvent({id, event, data}) per event; resolves when the server ends the stream or
 * `signal` aborts it. Resumes after `lastEventId`.
 */
export async function stream(path, onEvent, { signal, lastEventId } = {}) {
  if (!session) throw new ApiError(401, { title: 'Not logged in', detail: 'Log in to continue.' });
  if (session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await refresh();
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.accessToken}` };
  if (lastEventId) headers['Last-Event-ID'] = String(lastEventId);
  const response = await fetch(path, { headers, signal, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) {
    const data = await parseBody(response);
    throw new ApiError(response.status, data && typeof data === 'object' ? data : { title: `HTTP ${response.status}` });
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let current = { id: null, event: 'message', data: '' };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (current.data) onEvent({ ...current, data: current.data.replace(/\n$/, '') });
        current = { id: current.id, event: 'message', data: '' };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const key = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (key === 'id') current.id = text;
        else if (key === 'event') current.event = text;
        else if (key === 'data') current.data += `${text}\n`;
      }
    }
  }
}

/** An authenticated download as bytes (the models' blobs). */
export async function download(path) {
  if (!session) throw new ApiError(401, { title: 'Not logged in', detail: 'Log in to continue.' });
  if (session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await refresh();
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session.accessToken}` }, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) {
    const data = await parseBody(response);
    throw new ApiError(response.status, data && typeof data === 'object' ? data : { title: `HTTP ${response.status}` });
  }
  return new Uint8Array(await response.arrayBuffer());
}
