// The sandbox's Forge function runtime (sandbox/forge/functions.py starts it):
//   node run.mjs <source file> <export> <src dir>
// loads the app's function with the sandbox's `@forge/api` (api.mjs) in place of Forge's, calls
// the handler with the trigger's event and context as Forge does, and writes what it returned
// as JSON to $FORGE_SANDBOX_RESULT. A throw exits non-zero (Forge logs it and does not retry).
import { writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [source, exportName, srcDir] = process.argv.slice(2);
register('./hooks.mjs', import.meta.url, {
  data: { src: pathToFileURL(path.resolve(srcDir) + path.sep).href },
});
const module = await import(pathToFileURL(path.resolve(source)).href);
const handler = module[exportName];
if (typeof handler !== 'function') {
  throw new Error(`${source} exports no function ${exportName}`);
}
const event = JSON.parse(process.env.FORGE_SANDBOX_EVENT ?? '{}');
const context = { installContext: process.env.FORGE_SANDBOX_INSTALL_CONTEXT };
const result = await handler(event, context);
if (process.env.FORGE_SANDBOX_RESULT) {
  await writeFile(process.env.FORGE_SANDBOX_RESULT, JSON.stringify(result ?? null));
}
