// The configuration view of the three macros (manifest `macro.config`, built into
// static/config/config.js): the site's teams from `/api/v1/teams`, and the Connect macros'
// parameter names (`team`, `sides`, `expectations`, `side`) so pages moved from Connect keep
// their settings. Saved with `view.submit({config})`; Close calls `view.close()` (Forge's config
// dialog has no close button of its own).
import { view } from '@forge/bridge';
import { api, el, fail, say } from './remote.js';

const SIDES = [['both', 'Suppliers and customers'], ['suppliers', 'Suppliers only'], ['customers', 'Customers only']];
const AS = [['supplier', 'What its customers expect of it'], ['customer', 'What it expects of its suppliers']];

function select(name, label, options, value) {
  const node = el('select', { id: `icm-${name}`, name }, options.map(([v, text]) =>
    el('option', { value: v, text, selected: v === value })));
  return [el('label', { for: `icm-${name}`, text: label }), node];
}

export function configFields(macro, teams, config) {
  const fields = [...select('team', 'Team', teams.map((t) => [t.key, `${t.name} (${t.key})`]), config.team)];
  if (macro === 'customer-map') {
    fields.push(...select('sides', 'Show', SIDES, config.sides ?? 'both'));
    const box = el('input', { id: 'icm-expectations', name: 'expectations', type: 'checkbox', checked: String(config.expectations) === 'true' });
    fields.push(el('p', {}, [box, ' ', el('label', { for: 'icm-expectations', class: 'icm-inline-label', text: "List each customer's expectations" })]));
  } else if (macro === 'expectations') {
    fields.push(...select('side', "Show the team's expectations as", AS, config.side ?? 'supplier'));
  }
  return fields;
}

export function valuesOf(form) {
  const config = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    config[field.name] = field.type === 'checkbox' ? String(field.checked) : field.value;
  }
  return config;
}

async function main() {
  const root = document.getElementById('icm');
  try {
    await view.theme.enable().catch(() => undefined);
    const context = await view.getContext();
    const config = context.extension?.config ?? {};
    const close = el('button', { type: 'button', class: 'secondary', text: 'Close', onclick: () => view.close() });
    if (context.moduleKey === 'integrator-map') {
      root.replaceChildren(el('p', { text: 'The integrator map has no options to choose.' }), close);
      return;
    }
    const teams = (await api('GET', '/teams?limit=100')).values ?? [];
    if (!teams.length) {
      root.replaceChildren(el('p', { role: 'status', text: 'This site has no teams yet. Open a Jira project\'s Customer map page and choose “Set up your team” (a Jira administrator does), then configure the macro again.' }), close);
      return;
    }
    const form = el('form', { id: 'icm-macro-form', class: 'icm-card' }, [
      ...configFields(context.moduleKey, teams, config),
      el('div', { class: 'icm-row' }, [el('button', { type: 'submit', text: 'Save' }), close]),
    ]);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await view.submit({ config: valuesOf(form) });
      } catch (error) {
        say(error.message);
      }
    });
    root.replaceChildren(form);
  } catch (error) {
    fail(root, error?.message ?? 'The app could not be reached.');
  }
}

if (typeof document !== 'undefined' && document.getElementById('icm')) {
  main();
}
