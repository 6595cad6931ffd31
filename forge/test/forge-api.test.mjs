// The real @forge/api (what `forge deploy` bundles into the function) offers what src/privacy.js
// imports, under the names and shapes the stub in forge-api-stub.mjs stands in for.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const api = await import('@forge/api');

test('@forge/api exports invokeRemote and privacy.reportPersonalData', () => {
  assert.equal(typeof api.invokeRemote, 'function');
  assert.equal(typeof api.privacy?.reportPersonalData, 'function');
});
