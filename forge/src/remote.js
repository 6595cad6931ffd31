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
  throw new Error(explain(response?.body, status));
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

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function say(text) {
  const status = document.getElementById('icm-status');
  if (status) status.textContent = text;
}

export function fail(root, message) {
  root.replaceChildren(el('div', { role: 'alert', class: 'icm-alert', text: message }));
}
