// The personal data reporting cycle of a Forge site (docs/personal-data.md; forge/README.md
// "Personal data reporting"). A Forge remote has no documented way to call Atlassian's reporting
// API; a Forge function has `privacy.reportPersonalData` (platform/forge/runtime-reference/
// privacy-api). So this function, run daily by the `icm-personal-data-daily` scheduled trigger,
// asks the remote for the site's due accounts, reports them, one call per batch of at most 90
// (Atlassian's limit), and posts what came back to the remote, which erases the closed accounts
// and refreshes the updated ones exactly as it does for a Connect site. The remote keeps the
// cycle (which accounts are due; when the site may report again after a 429): this function
// keeps no state, and logs counts, never an accountId.
import { invokeRemote, privacy } from '@forge/api';

export const REMOTE = 'icm-remote';
export const DUE = '/forge/personal-data/due';
export const ANSWER = '/forge/personal-data/answer';
export const BATCH = 90;
// The manifest gives this function 300 s (`timeoutSeconds`); no batch starts after 240 s. What
// is left is due again on the next run: the remote remembers each account's last report.
export const BUDGET_MS = 240_000;

// The scheduled trigger's handler. Forge ignores what it returns and never retries a failure:
// the next day's run picks up where this one stopped.
export async function run() {
  const summary = await reportDueAccounts();
  console.log(`personal data report: ${JSON.stringify(summary)}`);
  return summary;
}

export async function reportDueAccounts({ now = Date.now, budgetMs = BUDGET_MS } = {}) {
  const deadline = now() + budgetMs;
  const summary = { batches: 0, reported: 0, closed: 0, updated: 0, outcome: 'nothing due' };
  while (now() < deadline) {
    const due = await remote(DUE, {});
    const accounts = Array.isArray(due?.accounts) ? due.accounts.slice(0, BATCH) : [];
    if (accounts.length === 0) {
      if (summary.batches) summary.outcome = 'reported';
      return summary;
    }
    const answer = await report(accounts);
    const applied = await remote(ANSWER, answer);
    summary.batches += 1;
    summary.reported += applied?.reported ?? 0;
    summary.closed += applied?.closed ?? 0;
    summary.updated += applied?.updated ?? 0;
    if (answer.status !== 200) {
      // The remote has rescheduled the site after the Retry-After (or an hour): stop here.
      summary.outcome = answer.status === 429 ? 'rate limited' : `error ${answer.status}`;
      return summary;
    }
    if (!(applied?.reported > 0)) {
      // Nothing of the batch was taken: asking again would report the same accounts again.
      summary.outcome = 'the remote took none of the batch';
      return summary;
    }
  }
  summary.outcome = 'out of time; the rest is due on the next run';
  return summary;
}

// One call of the reporting API for one batch. `reportPersonalData` resolves with the updates of
// a 200 (none for a 204) and rejects with the response itself otherwise, so a 429's status and
// Retry-After reach the remote; anything else thrown (no answer at all) is status 0.
async function report(accounts) {
  try {
    const updates = await privacy.reportPersonalData(accounts);
    return { accounts, status: 200, updates: Array.isArray(updates) ? updates : [] };
  } catch (failure) {
    return {
      accounts,
      status: Number.isInteger(failure?.status) ? failure.status : 0,
      updates: [],
      retryAfter: header(failure, 'retry-after'),
      cyclePeriod: header(failure, 'cycle-period'),
    };
  }
}

function header(response, name) {
  const value = typeof response?.headers?.get === 'function' ? response.headers.get(name) : null;
  return typeof value === 'string' ? value : null;
}

// The remote, through Forge: `invokeRemote` from a function signs the call with an invocation
// token of this function's module (platform/forge/runtime-reference/invoke-remote-api).
async function remote(path, body) {
  const response = await invokeRemote(REMOTE, {
    path,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`the remote answered ${response.status} to ${path}`);
  }
  return response.json();
}
