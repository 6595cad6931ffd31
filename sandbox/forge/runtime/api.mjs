// The `@forge/api` a Forge function gets in the sandbox: the calls this app's functions make,
// answered by the sandbox site as Forge and api.atlassian.com answer them
// (sandbox/forge/functions.py). Anything else the function imports from `@forge/api` is missing:
// the sandbox does not offer it yet, and the import fails loudly.
const SITE = process.env.FORGE_SANDBOX_URL;
const RUN = process.env.FORGE_SANDBOX_RUN;
const APP_TOKEN = process.env.FORGE_SANDBOX_APP_TOKEN;
const REPORT_LIMIT = 90;
const NO_BODY = new Set([101, 204, 205, 304]);

// runtime-reference/invoke-remote-api: `invokeRemote(remoteKey, {path, ...fetch options})`
// resolves with a fetch Response of the remote's answer, whatever its status.
export async function invokeRemote(remoteKey, options = {}) {
  const { path, method = 'GET', headers = {}, body } = options;
  if (typeof path !== 'string' || path === '') {
    throw new Error('invokeRemote: path must be a non-empty string');
  }
  const relay = await fetch(`${SITE}/_sandbox/forge/runs/${RUN}/invoke-remote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      remoteKey,
      path,
      method,
      headers: Object.fromEntries(new Headers(headers)),
      body: body == null ? null : String(body),
    }),
  });
  if (!relay.ok) {
    throw new Error(`invokeRemote failed: ${(await relay.json()).error ?? relay.status}`);
  }
  const answer = await relay.json();
  return new Response(NO_BODY.has(answer.status) ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  });
}

// As the app, to api.atlassian.com (here: the sandbox site).
function requestAtlassian(url, init) {
  return fetch(SITE + url, {
    ...init,
    headers: { ...(init.headers ?? {}), authorization: `Bearer ${APP_TOKEN}` },
  });
}

// runtime-reference/privacy-api, with @forge/api's behaviour: 90 accounts a call, the calls
// made together; the updates of every 200 (none for a 204); otherwise a rejection with the
// failed call's response.
export const privacy = {
  async reportPersonalData(accounts) {
    const batches = [];
    for (let start = 0; start < accounts.length; start += REPORT_LIMIT) {
      batches.push(accounts.slice(start, start + REPORT_LIMIT));
    }
    const answers = await Promise.all(
      batches.map(async (batch) => {
        const response = await requestAtlassian('/app/report-accounts', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ accounts: batch }),
        });
        if (response.status === 200) return (await response.json()).accounts;
        if (response.status === 204) return [];
        throw response;
      }),
    );
    return answers.flat();
  },
};
