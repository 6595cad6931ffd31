// The pure parts of the pages' shared UI (connector/platforms/connect/pages/static/ui/): what
// waits for the viewer, how long ago feedback was asked, keys for teams made on the spot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyFor } from '../../connector/platforms/connect/pages/static/ui/setup.js';
import { ago, waitingItems } from '../../connector/platforms/connect/pages/static/ui/waiting.js';

const DAY = 86400000;
const expectation = (id, state, extra = {}) => ({ id, state, statement: `E${id}`, permissions: { transitions: [], rate: false }, ...extra });

test('proposals to answer, drafts to propose, feedback asked and failed syncs wait for the viewer', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  const map = {
    customers: [{ expectations: [
      expectation(1, 'draft', { permissions: { transitions: ['proposed'] } }),
      expectation(2, 'draft'), // not the viewer's to propose
      expectation(3, 'agreed', { syncState: 'failed', syncError: 'issuetype: invalid' }),
    ] }],
    suppliers: [{ expectations: [
      expectation(4, 'proposed', { permissions: { transitions: ['agreed', 'proposed'] } }),
      expectation(5, 'proposed', { permissions: { transitions: ['agreed'] } }),
      expectation(6, 'agreed', { feedbackRequestedAt: new Date(now - 5 * DAY).toISOString(), permissions: { transitions: [], rate: true } }),
      expectation(7, 'agreed', { feedbackRequestedAt: new Date(now - DAY).toISOString() }), // may not rate
    ] }],
  };
  const realNow = Date.now;
  Date.now = () => now;
  try {
    assert.deepEqual(waitingItems(map), [
      { text: '2 proposals wait for your answer', ids: [4, 5] },
      { text: '1 draft to propose to the customer', ids: [1] },
      { text: 'Feedback asked 5 days ago: “E6”', ids: [6] },
      { text: 'Not filed in Jira yet: “E3” (issuetype: invalid)', ids: [3] },
    ]);
  } finally {
    Date.now = realNow;
  }
  assert.deepEqual(waitingItems({ customers: [], suppliers: [] }), []);
});

test('ago reads in days', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  assert.equal(ago('2026-12-06T08:00:00Z', now), 'today');
  assert.equal(ago('2026-12-05T11:00:00Z', now), 'yesterday');
  assert.equal(ago('2026-12-01T12:00:00Z', now), '5 days ago');
});

test('a team made on the spot gets a free key from its name', () => {
  assert.equal(keyFor('People', new Set()), 'PEOPLE');
  assert.equal(keyFor('IT Service desk', new Set()), 'ITSERVICED');
  assert.equal(keyFor('People', new Set(['PEOPLE'])), 'PEOPLE2');
  assert.equal(keyFor('Équipe paie', new Set()), 'EQUIPEPAIE');
  assert.equal(keyFor('42', new Set()), 'TEAM');
  assert.match(keyFor('3D printing', new Set()), /^[A-Z][A-Z0-9_]{0,31}$/);
});
