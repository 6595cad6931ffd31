// Bundle the Custom UI (src/view.js + @forge/bridge) into static/view/view.js for `forge deploy`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/view.js'],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  outfile: 'static/view/view.js',
  logLevel: 'warning',
});
console.log('built static/view/view.js');
