// Module hooks of the sandbox's Forge runtime: `@forge/api` is the sandbox's (api.mjs), and the
// app's sources (the manifest's src/) are ES modules, as Forge's bundler reads them.
const API = new URL('./api.mjs', import.meta.url).href;
let src = null;

export async function initialize(data) {
  src = data?.src ?? null;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@forge/api') return { url: API, shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (src && url.startsWith(src) && url.endsWith('.js')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
