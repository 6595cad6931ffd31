/* The issue panel's measures (Connect): the expectation read from /api/v1 with the panel's
   context token (or a fresh one from all.js), rendered by measures.js, read again after a
   change. The panel's own script handles the rating buttons. */
import { measuresSection } from './measures.js';

const box = document.getElementById('icm-measures');

function token() {
  const served = document.querySelector('meta[name="icm-token"]').content;
  if (!(window.AP && AP.context && typeof AP.context.getToken === 'function')) return Promise.resolve(served);
  return new Promise((resolve) => {
    let done = false;
    const once = (t) => { if (!done) { done = true; resolve(t || served); } };
    setTimeout(() => once(null), 1500);
    AP.context.getToken(once);
  });
}

async function api(method, path, body) {
  const response = await fetch(box.dataset.api + path, {
    method,
    headers: { Authorization: `JWT ${await token()}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
  return data;
}

function say(text) {
  const status = document.getElementById('icm-status');
  if (status) status.textContent = text;
}

async function refresh() {
  try {
    const expectation = await api('GET', `/expectations/${box.dataset.expectation}`);
    box.replaceChildren(...[measuresSection(expectation, { api, say, refresh })].filter(Boolean));
  } catch (error) {
    say(error.message);
  }
}

if (box) refresh();
