// A stand-in for `@forge/api` with the two calls the function makes, each recorded in `calls`
// and answered by what the test puts in `fake`. The shapes are the documented ones: invokeRemote
// resolves with a fetch Response (runtime-reference/invoke-remote-api); reportPersonalData
// resolves with [{accountId, status}] and rejects with the response of a failed call
// (runtime-reference/privacy-api, and @forge/api's own implementation).
export const calls = [];
export const fake = {
  remote: async () => new Response('{}', { status: 500 }),
  report: async () => [],
};

export async function invokeRemote(remoteKey, options) {
  calls.push({ kind: 'invokeRemote', remoteKey, options });
  return fake.remote(remoteKey, options);
}

export const privacy = {
  async reportPersonalData(accounts) {
    calls.push({ kind: 'reportPersonalData', accounts });
    return fake.report(accounts);
  },
};
