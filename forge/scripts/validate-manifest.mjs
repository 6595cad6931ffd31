// Validate a Forge manifest with Atlassian's own validator (@forge/manifest), as `forge lint`
// does. Prints one JSON line {"success": bool, "errors": [...]}; exit code 1 when invalid.
import { validate } from '@forge/manifest';
import path from 'node:path';

const file = path.resolve(process.argv[2] ?? 'manifest.yml');
const result = await validate(false, file);
const errors = (result.errors ?? []).map((e) => ({
  level: e.level, message: e.message, line: e.line, column: e.column,
}));
const blocking = errors.filter((e) => e.level === 'error');
console.log(JSON.stringify({ success: result.success && blocking.length === 0, errors }));
process.exit(result.success && blocking.length === 0 ? 0 : 1);
