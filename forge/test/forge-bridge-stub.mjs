// @forge/bridge for the tests that load a view's module in node: its calls are never made there.
export async function invokeRemote() {
  throw new Error('invokeRemote is not available in these tests');
}
export const view = { getContext: async () => ({}) };
export const requestJira = async () => { throw new Error('not in these tests'); };
