// Module hooks for the function tests: `@forge/api` is the stub beside this file (Forge provides
// the real one at run time), and the function's source under src/ is an ES module, as Forge's
// bundler reads it (package.json names no "type").
const STUB = new URL('./forge-api-stub.mjs', import.meta.url).href;
const BRIDGE = new URL('./forge-bridge-stub.mjs', import.meta.url).href;
const SRC = new URL('../src/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@forge/api') return { url: STUB, shortCircuit: true };
  if (specifier === '@forge/bridge') return { url: BRIDGE, shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith(SRC) && url.endsWith('.js')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
