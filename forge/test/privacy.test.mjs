// The personal data function (src/privacy.js) against a stubbed @forge/api and a fake remote:
// the calls it makes are the contract the remote (connector/platforms/forge/privacy.py) and the
// sandbox's Forge runtime (sandbox/forge/functions.py) rely on.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { beforeEach, test } from 'node:test';

register('./hooks.mjs', import.meta.url);
const forge = await import('./forge-api-stub.mjs');
const fn = await import('../src/privacy.js');

const ids = (n, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    accountId: `acc-${String(from + i).padStart(3, '0')}`,
    updatedAt: '2026-11-30T10:00:00.000Z',
  }));

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

// A remote with `accounts` due, handed out 90 at a time; every answer posted is kept.
function fakeRemote(accounts) {
  const due = [...accounts];
  const answers = [];
  forge.fake.remote = async (key, options) => {
    const body = JSON.parse(options.body);
    if (options.path === fn.DUE) return json({ accounts: due.splice(0, 90) });
    if (options.path === fn.ANSWER) {
      answers.push(body);
      const ok = body.status === 200;
      const closed = ok ? body.updates.filter((u) => u.status === 'closed').length : 0;
      const updated = ok ? body.updates.filter((u) => u.status === 'updated').length : 0;
      return json({ reported: ok ? body.accounts.length : 0, closed, updated });
    }
    return json({ error: { code: 'not_found' } }, 404);
  };
  return answers;
}

const reports = () => forge.calls.filter((c) => c.kind === 'reportPersonalData');
const remoteCalls = () => forge.calls.filter((c) => c.kind === 'invokeRemote');

beforeEach(() => {
  forge.calls.length = 0;
  forge.fake.report = async () => [];
});

test('each due batch of at most 90 is reported once and its answer goes back', async () => {
  const answers = fakeRemote(ids(200));
  forge.fake.report = async (accounts) =>
    accounts
      .filter((a) => a.accountId === 'acc-005' || a.accountId === 'acc-150')
      .map((a) => ({ accountId: a.accountId, status: a.accountId === 'acc-005' ? 'closed' : 'updated' }));

  const summary = await fn.reportDueAccounts();

  assert.deepEqual(reports().map((c) => c.accounts.length), [90, 90, 20]);
  assert.deepEqual(reports()[0].accounts[0], ids(1)[0]); // exactly what the remote handed out
  assert.deepEqual(
    remoteCalls().map((c) => c.options.path),
    [fn.DUE, fn.ANSWER, fn.DUE, fn.ANSWER, fn.DUE, fn.ANSWER, fn.DUE],
  );
  for (const call of remoteCalls()) {
    assert.equal(call.remoteKey, 'icm-remote');
    assert.equal(call.options.method, 'POST');
    assert.equal(call.options.headers['Content-Type'], 'application/json');
    assert.equal(typeof call.options.body, 'string'); // JSON text, as fetch sends it
  }
  assert.deepEqual(answers[0], {
    accounts: ids(90),
    status: 200,
    updates: [{ accountId: 'acc-005', status: 'closed' }],
  });
  assert.deepEqual(answers[1].updates, [{ accountId: 'acc-150', status: 'updated' }]);
  assert.deepEqual(summary, { batches: 3, reported: 200, closed: 1, updated: 1, outcome: 'reported' });
});

test('a remote handing out more than 90 still gets one call of 90 per batch', async () => {
  const answers = fakeRemote([]);
  let handed = false;
  const remote = forge.fake.remote;
  forge.fake.remote = async (key, options) => {
    if (options.path !== fn.DUE || handed) return remote(key, options);
    handed = true;
    return json({ accounts: ids(95) });
  };

  await fn.reportDueAccounts();

  assert.deepEqual(reports().map((c) => c.accounts.length), [90]);
  assert.deepEqual(answers[0].accounts, ids(90));
});

test('a batch the remote did not take is not reported again in the same run', async () => {
  // A remote whose answers go nowhere: the same accounts stay due.
  forge.fake.remote = async (key, options) =>
    options.path === fn.DUE
      ? json({ accounts: ids(10) })
      : json({ reported: 0, closed: 0, updated: 0 });

  const summary = await fn.reportDueAccounts({ budgetMs: 1000 });

  assert.equal(reports().length, 1);
  assert.equal(summary.outcome, 'the remote took none of the batch');
});

test('nothing due: no report at all', async () => {
  fakeRemote([]);
  const summary = await fn.reportDueAccounts();
  assert.equal(reports().length, 0);
  assert.equal(summary.outcome, 'nothing due');
});

test("a 429 goes back with its Retry-After, and the run stops there", async () => {
  const answers = fakeRemote(ids(120));
  forge.fake.report = async () => {
    throw new Response(null, { status: 429, headers: { 'Retry-After': '120' } });
  };

  const summary = await fn.reportDueAccounts();

  assert.equal(reports().length, 1);
  assert.deepEqual(answers, [
    { accounts: ids(90), status: 429, updates: [], retryAfter: '120', cyclePeriod: null },
  ]);
  assert.equal(remoteCalls().at(-1).options.path, fn.ANSWER); // no further question
  assert.equal(summary.outcome, 'rate limited');
});

test('a call that got no answer is status 0; a Cycle-Period of an error is passed on', async () => {
  let calls = 0;
  const answers = fakeRemote(ids(10));
  forge.fake.report = async () => {
    calls += 1;
    throw new TypeError('fetch failed');
  };
  await fn.reportDueAccounts();
  assert.equal(calls, 1);
  assert.equal(answers[0].status, 0);

  const again = fakeRemote(ids(10));
  forge.fake.report = async () => {
    throw new Response('{}', { status: 500, headers: { 'Cycle-Period': '14 Days' } });
  };
  await fn.reportDueAccounts();
  assert.deepEqual([again[0].status, again[0].cyclePeriod, again[0].retryAfter], [500, '14 Days', null]);
});

test('a remote that refuses the call fails the run (Forge logs it; tomorrow runs again)', async () => {
  forge.fake.remote = async () => json({ error: { code: 'wrong_module' } }, 403);
  await assert.rejects(fn.reportDueAccounts(), /403/);
  assert.equal(reports().length, 0);
});

test('no batch starts once the time budget is spent', async () => {
  fakeRemote(ids(500));
  let clock = 0;
  forge.fake.report = async () => {
    clock += 100;
    return [];
  };
  const summary = await fn.reportDueAccounts({ now: () => clock, budgetMs: 250 });
  assert.equal(reports().length, 3);
  assert.match(summary.outcome, /next run/);
});

test('the handler logs counts, never an accountId', async () => {
  fakeRemote(ids(3));
  forge.fake.report = async (accounts) => [{ accountId: accounts[0].accountId, status: 'closed' }];
  const lines = [];
  const log = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  try {
    await fn.run();
  } finally {
    console.log = log;
  }
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0], /acc-/);
  assert.match(lines[0], /"closed":1/);
});
