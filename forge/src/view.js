// The Custom UI of every module: ask the remote for the module's HTML (the same fragments the
// Connect macros render) and show it. Built into static/view/view.js by `npm run build`.
import { invokeRemote, view } from '@forge/bridge';

const PARAMS = ['team', 'sides', 'expectations', 'side'];

// What the module shows depends on where it sits: a macro's config, a project, an issue.
export function queryFor(extension) {
  const query = new URLSearchParams();
  const config = extension?.config ?? {};
  for (const name of PARAMS) {
    if (config[name]) query.set(name, String(config[name]));
  }
  if (extension?.project?.key) query.set('project', extension.project.key);
  if (extension?.issue?.key) query.set('issue', extension.issue.key);
  return query.toString();
}

export function show(root, answer) {
  const style = document.createElement('style');
  style.textContent = answer.css ?? '';
  document.head.appendChild(style);
  document.title = answer.title ?? document.title;
  // The remote escapes every value it renders (macros/markup.py); nothing here is user HTML.
  root.innerHTML = answer.html ?? '';
}

function fail(root, message) {
  root.textContent = '';
  const box = document.createElement('div');
  box.setAttribute('role', 'alert');
  box.textContent = message;
  root.appendChild(box);
}

async function main() {
  const root = document.getElementById('icm');
  try {
    const context = await view.getContext();
    const query = queryFor(context.extension);
    const response = await invokeRemote({
      path: `/ui/${encodeURIComponent(context.moduleKey)}${query ? `?${query}` : ''}`,
      method: 'GET',
    });
    if (response.status !== 200) {
      fail(root, `The app could not show this view (${response.status}). Reload the page.`);
      return;
    }
    show(root, response.body);
  } catch (error) {
    fail(root, 'The app could not be reached. Reload the page.');
  }
}

if (typeof document !== 'undefined' && document.getElementById('icm')) {
  main();
}
