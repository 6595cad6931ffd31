// What every Forge view shares: the REST API through `invokeRemote`, the service's answers
// read the way Forge hands them over ({status, headers, body}), and a tiny DOM builder.
import { invokeRemote } from '@forge/bridge';

export const API = '/api/v1';

// Forge resolves `path` against the remote's baseUrl (the service's root): ask the full path.
export async function api(method, path, body) {
  const request = { path: API + path, method };
  if (body !== undefined) {
    request.body = body;
    request.headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  }
  const response = await invokeRemote(request);
  const status = response?.status ?? 0;
  if (status >= 200 && status < 300) return response.body ?? null;
  // The error keeps the service's code and details (which fields), for errors next to fields.
  const error = response?.body?.error ?? {};
  throw Object.assign(new Error(explain(response?.body, status)), { code: error.code, details: error.details });
}

// A fragment the service renders (maps, tables): GET /forge/ui/<module>?params.
export async function fragment(module, query) {
  const qs = query ? `?${query}` : '';
  const response = await invokeRemote({
    path: `/forge/ui/${encodeURIComponent(module)}${qs}`,
    method: 'GET',
  });
  if (response?.status !== 200) {
    throw new Error(`The app could not show this view (${response?.status ?? 'no answer'}).`);
  }
  return response.body;
}

// What one view needs, in one round trip: GET /forge/view/<module>?params (the team page's
// team by its project key, its map, its fragment, the settings and the viewer).
export async function viewData(module, query) {
  const response = await invokeRemote({
    path: `/forge/view/${encodeURIComponent(module)}${query ? `?${query}` : ''}`,
    method: 'GET',
  });
  const status = response?.status ?? 0;
  if (status === 200) return response.body;
  throw new Error(explain(response?.body, status));
}

export function explain(body, status) {
  const error = body?.error ?? {};
  const details = Object.entries(error.details ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const message = error.message ?? `The app answered ${status}`;
  return details.length ? `${message} (${details.join('; ')})` : message;
}

// Missing `permissions` (a service before the trust rules) means "allowed": the service decides.
export function may(thing, what) {
  const permissions = thing?.permissions;
  if (!permissions || permissions[what] === undefined) return true;
  return Boolean(permissions[what]);
}

export function transitionsOf(expectation) {
  const permitted = expectation?.permissions?.transitions;
  return Array.isArray(permitted) ? permitted : expectation.allowedTransitions ?? [];
}

// The DOM builder the Connect pages use too.
export { el } from '../../connector/platforms/connect/pages/static/ui/dom.js';

export function say(text) {
  const status = document.getElementById('icm-status');
  if (status) status.textContent = text;
}

export function fail(root, message) {
  root.replaceChildren(el('div', { role: 'alert', class: 'icm-alert', text: message }));
}
