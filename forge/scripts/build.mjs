// Bundle the Custom UI for `forge deploy`: src/view.js (every module) -> static/view/view.js and
// src/config.js (the macros' configuration view) -> static/config/config.js, each with
// @forge/bridge inside; src/icm.css is copied beside each. No inline script anywhere (Forge's
// CSP forbids them). The tests run this build; the outputs are never edited by hand. The function
// src/privacy.js is checked to bundle, not written: Forge bundles functions at deploy.
import { copyFile } from 'node:fs/promises';
import { build } from 'esbuild';

const bundles = [
  ['src/view.js', 'static/view/view.js'],
  ['src/config.js', 'static/config/config.js'],
];
for (const [entry, outfile] of bundles) {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    outfile,
    logLevel: 'warning',
  });
}
await copyFile('src/icm.css', 'static/view/icm.css');
await copyFile('src/icm.css', 'static/config/icm.css');
// The personal data function: `forge deploy` bundles it with @forge/api for Forge's Node.js
// runtime; this only checks that it bundles (syntax, imports) and writes nothing.
await build({
  entryPoints: ['src/privacy.js'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['@forge/api'],
  write: false,
  logLevel: 'warning',
});
console.log(`built ${bundles.map(([, out]) => out).join(', ')} and their icm.css; src/privacy.js bundles`);
