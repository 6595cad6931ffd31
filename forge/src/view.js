// The Custom UI of every Forge module (built into static/view/view.js by `npm run build`).
// Every read and write goes to the service through `invokeRemote`: the REST API `/api/v1` with
// JSON bodies, and `/forge/ui/<module>` for the maps and tables the service renders. The user is
// the token's `principal`; only the actions the service's `permissions` allow are offered.
import { view } from '@forge/bridge';
import { wireDownloads } from './download.js';
import { reviewPackButton, reviewPackSettings } from './review-pack.js';
import { followUpSteps, followUpsForm } from './followups.js';
import { api, el, fail, fragment, may, say, transitionsOf } from './remote.js';

const PARAMS = ['team', 'sides', 'expectations', 'side'];
const SEED = 'What are the needs and expectations you have for me in my position?';
const BANDS = { healthy: 'healthy', at_risk: 'at risk', unhealthy: 'unhealthy', no_feedback: 'no feedback yet' };

// What a fragment shows depends on where it sits: a macro's config, a project, an issue.
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

// The service escapes every value it renders (macros/markup.py); nothing here is user HTML.
// One <style> for the fragments' CSS, reused: the team page shows its fragment again after
// every action, and each showing used to add another copy of the whole sheet to <head>.
export function showFragment(target, answer) {
  let style = document.getElementById('icm-fragment-css');
  if (!style) {
    style = document.createElement('style');
    style.id = 'icm-fragment-css';
    document.head.appendChild(style);
  }
  style.textContent = answer.css ?? '';
  const box = el('div', { class: 'icm-fragment' });
  box.innerHTML = answer.html ?? '';
  target.replaceChildren(box);
}

function healthBadge(health) {
  const band = health?.band ?? 'no_feedback';
  const score = health?.score === null || health?.score === undefined ? '' : ` ${Math.round(health.score * 100)}%`;
  return el('span', { class: `icm-lozenge band-${band}`, text: BANDS[band] + score });
}

async function me() {
  try {
    return await api('GET', '/me');
  } catch {
    return null; // a service without /me: the page offers what the permissions fields say
  }
}

async function allTeams() {
  const page = await api('GET', '/teams?limit=100');
  return page.values ?? [];
}

// --- the team page -----------------------------------------------------------------------

function expectationItem(expectation, side, refresh) {
  const moves = transitionsOf(expectation);
  const checked = expectation.permissions !== undefined;
  const can = (to, sideWanted) => moves.includes(to) && (checked || side === sideWanted);
  const actions = el('div', { class: 'icm-row' });
  const editor = el('div', { class: 'icm-inline' });
  const run = (label, work) => async () => {
    try {
      await work();
      say(`${label}: done`);
      await refresh();
    } catch (error) {
      say(error.message);
    }
  };
  const move = (to, extra = {}) => api('POST', `/expectations/${expectation.id}/transitions`, { to, ...extra });
  const button = (label, work, secondary) =>
    actions.appendChild(el('button', { type: 'button', class: secondary ? 'secondary' : null, text: label, onclick: run(label, work) }));
  // A button that only opens a form in place (no call, no refresh).
  const opener = (label, open) =>
    actions.appendChild(el('button', { type: 'button', class: 'secondary', text: label, 'aria-expanded': 'false',
      onclick: (event) => { event.currentTarget.setAttribute('aria-expanded', 'true'); open(); } }));

  if (expectation.state === 'draft' && can('proposed', 'supplier')) button('Propose', () => move('proposed'));
  if (expectation.state === 'proposed' && can('agreed', 'customer')) button('Agree', () => move('agreed'));
  if (expectation.state === 'proposed' && can('proposed', 'customer')) {
    opener('Counter-propose', () => {
      const words = el('textarea', { rows: 3, 'aria-label': 'Your expectation, in your own words' });
      words.value = expectation.statement;
      const send = el('button', { type: 'button', text: 'Send the counter-proposal',
        onclick: run('Counter-proposal', () => move('proposed', { statement: words.value.trim() })) });
      editor.replaceChildren(words, send);
      words.focus();
    });
  }
  if (expectation.state !== 'retired' && (checked ? may(expectation, 'edit') : side === 'supplier')) {
    opener('Edit', () => editForm(expectation, editor, run));
  }
  if (expectation.state !== 'retired' && moves.includes('retired') && (checked || side === 'supplier')) {
    button('Retire', () => api('DELETE', `/expectations/${expectation.id}`), true);
  }
  const issue = expectation.jiraIssueKey
    ? el('span', { class: 'icm-issue', text: expectation.jiraIssueKey })
    : el('span', { class: 'icm-meta', text: expectation.state === 'agreed' ? `issue: ${expectation.syncState}` : '' });
  const count = expectation.feedbackCount;
  return el('div', { class: 'icm-expectation', 'data-expectation': expectation.id }, [
    el('p', { class: 'icm-words', text: `“${expectation.statement}”` }),
    el('p', { class: 'icm-meta' }, [
      el('span', { class: 'icm-lozenge', text: expectation.state.replace('_', ' ') }), ' ',
      healthBadge(expectation.health), ` ${count} ${count === 1 ? 'rating' : 'ratings'} `, issue,
    ]),
    actions,
    editor,
  ]);
}

function editForm(expectation, editor, run) {
  const field = (label, name, value, rows = 2) => {
    const id = `icm-edit-${expectation.id}-${name}`;
    const input = el('textarea', { id, name, rows });
    input.value = value ?? '';
    return [el('label', { for: id, text: label }), input];
  };
  const cadenceId = `icm-edit-${expectation.id}-cadence`;
  const cadence = el('input', { id: cadenceId, type: 'number', min: 1, max: 366, value: expectation.cadenceDays });
  const form = el('form', { class: 'icm-card' }, [
    ...field('Their words', 'statement', expectation.statement, 3),
    ...field('Why it matters to them', 'whyItMatters', expectation.whyItMatters),
    ...field('An opportunity for growth', 'growthOpportunity', expectation.growthOpportunity),
    el('label', { for: cadenceId, text: 'Ask for feedback every (days)' }), cadence,
    el('div', { class: 'icm-row' }, [el('button', { type: 'submit', text: 'Save the changes' })]),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run('Edit', () => api('PATCH', `/expectations/${expectation.id}`, {
      statement: form.statement.value.trim(),
      whyItMatters: form.whyItMatters.value.trim() || null,
      growthOpportunity: form.growthOpportunity.value.trim() || null,
      cadenceDays: Number(cadence.value),
    }))();
  });
  editor.replaceChildren(form);
}

function relationshipCard(relationship, side, refresh) {
  const other = side === 'supplier' ? relationship.customer : relationship.supplier;
  const items = relationship.expectations.map((e) => expectationItem(e, side, refresh));
  return el('article', { class: 'icm-card', 'aria-label': other.name }, [
    el('h3', {}, [`${other.name} · ${relationship.service} `, healthBadge(relationship.health)]),
    ...(items.length ? items : [el('p', { class: 'icm-meta', text: 'No expectations recorded yet.' })]),
    reviewPackButton(relationship),
  ]);
}

function measureRow(index) {
  const id = (name) => `icm-measure-${index}-${name}`;
  return el('div', { class: 'icm-row icm-measure' }, [
    el('label', { for: id('name'), text: 'Measure' }), el('input', { id: id('name'), name: 'measureName', type: 'text' }),
    el('label', { for: id('target'), text: 'Target' }), el('input', { id: id('target'), name: 'measureTarget', type: 'number', step: 'any' }),
    el('label', { for: id('unit'), text: 'Unit' }), el('input', { id: id('unit'), name: 'measureUnit', type: 'text', size: 6 }),
    el('label', { for: id('direction'), text: 'Direction' }),
    el('select', { id: id('direction'), name: 'measureDirection' }, [
      el('option', { value: 'atLeast', text: 'at least' }), el('option', { value: 'atMost', text: 'at most' }),
    ]),
  ]);
}

function measuresOf(form) {
  return [...form.querySelectorAll('.icm-measure')].map((row) => {
    const get = (name) => row.querySelector(`[name="${name}"]`).value.trim();
    if (!get('measureName')) return null;
    return { name: get('measureName'), target: Number(get('measureTarget') || 0), unit: get('measureUnit') || null, direction: get('measureDirection') };
  }).filter(Boolean);
}

function recordForm(map, refresh, cadenceDays, followUps, seedQuestion) {
  const choices = map.customers.map((r) => el('option', { value: r.id, text: `${r.customer.name} — ${r.service}` }));
  const measures = el('fieldset', { class: 'icm-measures' }, [el('legend', { text: 'Measures of performance' }), measureRow(0)]);
  let rows = 1;
  const more = el('button', { type: 'button', class: 'secondary', text: 'Add a measure',
    onclick: () => measures.insertBefore(measureRow(rows++), more) });
  measures.appendChild(more);
  const form = el('form', { id: 'icm-record', class: 'icm-card', 'aria-labelledby': 'icm-record-title' }, [
    el('h2', { id: 'icm-record-title', text: 'Record what a customer expects' }),
    el('label', { for: 'icm-customer', text: '1. Pick a customer (and what you supply to them)' }),
    el('select', { id: 'icm-customer', name: 'relationshipId', required: true }, choices),
    el('p', { class: 'icm-question' }, ['2. Ask them: ', el('q', { text: seedQuestion ?? SEED })]),
    el('label', { for: 'icm-statement', text: 'Their answer, in their own words' }),
    el('textarea', { id: 'icm-statement', name: 'statement', rows: 3, required: true }),
    ...followUpSteps(followUps, { measures, cadenceDays }), // the settings' follow-up questions
    el('div', { class: 'icm-row' }, [
      el('label', { for: 'icm-priority', text: 'Priority' }),
      el('select', { id: 'icm-priority', name: 'priority' }, ['high', 'medium', 'low'].map((p) =>
        el('option', { value: p, text: p, selected: p === 'medium' }))),
    ]),
    el('div', { class: 'icm-row' }, [
      el('button', { type: 'submit', name: 'action', value: 'propose', text: 'Propose to the customer' }),
      el('button', { type: 'submit', name: 'action', value: 'draft', class: 'secondary', text: 'Save as a draft' }),
    ]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const propose = event.submitter?.value === 'propose';
    try {
      const made = await api('POST', '/expectations', {
        relationshipId: Number(form.relationshipId.value),
        statement: form.statement.value.trim(),
        whyItMatters: form.whyItMatters.value.trim() || null,
        growthOpportunity: form.growthOpportunity.value.trim() || null,
        measures: measuresOf(form),
        cadenceDays: Number(form.cadenceDays.value),
        priority: form.priority.value,
      });
      if (propose) await api('POST', `/expectations/${made.id}/transitions`, { to: 'proposed' });
      form.reset();
      form.cadenceDays.value = cadenceDays;
      say(propose ? 'Proposed to the customer.' : 'Saved as a draft.');
      await refresh();
    } catch (error) {
      say(error.message);
    }
  });
  return form;
}

// May the viewer record for `team`? The team's `permissions` say; before the service sends them,
// `/me` does (a site admin, or the team's lead); with neither, the service decides on save.
function mayManage(team, who) {
  if (team?.permissions?.manage !== undefined) return Boolean(team.permissions.manage);
  if (!who) return true;
  return Boolean(who.siteAdmin) || (who.teams ?? []).some((t) => t.key === team.key && t.role === 'lead');
}

async function teamPage(root, context, who) {
  const project = context.extension?.project?.key;
  const team = (await allTeams()).find((t) => project && t.jiraProjectKey === project.toUpperCase());
  if (!team) {
    root.replaceChildren(el('p', { class: 'icm-empty', text: 'No team in the customer map works in this project yet.' }));
    return;
  }
  const picture = el('section', { class: 'icm-map', 'aria-label': 'Customer map' });
  const customers = el('div', { id: 'icm-customers' });
  const suppliers = el('div', { id: 'icm-suppliers' });
  const recording = el('div');
  const settings = await api('GET', '/settings').catch(() => null);
  const cadenceDays = settings?.defaultCadenceDays ?? 30;
  root.replaceChildren(
    el('h1', { text: `${team.name}: internal customers and suppliers` }),
    picture,
    el('div', { class: 'icm-columns' }, [
      el('section', { 'aria-labelledby': 'icm-customers-title' }, [el('h2', { id: 'icm-customers-title', text: 'Your internal customers' }), customers]),
      el('section', { 'aria-labelledby': 'icm-suppliers-title' }, [el('h2', { id: 'icm-suppliers-title', text: 'Your suppliers' }), suppliers]),
    ]),
    recording,
  );
  const refresh = async () => {
    const [map, shown] = await Promise.all([
      api('GET', `/teams/${encodeURIComponent(team.key)}/map`),
      fragment('team-page', `project=${encodeURIComponent(project)}`),
    ]);
    showFragment(picture, shown);
    customers.replaceChildren(...(map.customers.length
      ? map.customers.map((r) => relationshipCard(r, 'supplier', refresh))
      : [el('p', { class: 'icm-meta', text: 'No customers yet: who receives what your team supplies?' })]));
    suppliers.replaceChildren(...(map.suppliers.length
      ? map.suppliers.map((r) => relationshipCard(r, 'customer', refresh))
      : [el('p', { class: 'icm-meta', text: 'No suppliers yet.' })]));
    const manage = mayManage(map.team, who) && map.customers.length > 0;
    recording.replaceChildren(...(manage ? [recordForm(map, refresh, cadenceDays, settings?.followUps, settings?.seedQuestion)] : []));
  };
  await refresh();
}

// --- the issue panel -----------------------------------------------------------------------

async function issuePanel(root, context) {
  const key = context.extension?.issue?.key;
  const found = key ? await api('GET', `/expectations?issueKey=${encodeURIComponent(key)}&state=all&limit=1`) : null;
  const expectation = found?.values?.[0];
  if (!expectation) {
    root.replaceChildren(el('p', { class: 'icm-empty', text: 'This issue is not an internal customer expectation.' }));
    return;
  }
  const mine = el('p', { id: 'icm-mine' });
  const children = [
    el('p', { class: 'icm-words' }, [el('strong', { text: expectation.statement })]),
    el('p', {}, ['Health: ', healthBadge(expectation.health)]),
  ];
  if (may(expectation, 'rate')) {
    const comment = el('textarea', { id: 'icm-comment', rows: 2 });
    const rate = (n) => async () => {
      try {
        const given = await api('POST', `/expectations/${expectation.id}/feedback`, { rating: n, comment: comment.value.trim() || null });
        say('Thank you: your rating is recorded.');
        mine.textContent = `Your latest rating: ${given.rating} of 5${given.comment ? ` “${given.comment}”` : ''}`;
      } catch (error) {
        say(`Your rating could not be recorded: ${error.message}`);
      }
    };
    children.push(el('fieldset', { class: 'icm-rating' }, [
      el('legend', { text: 'How well is this expectation met?' }),
      ...[1, 2, 3, 4, 5].map((n) => el('button', { type: 'button', 'data-rating': n, 'aria-label': `Rate ${n} of 5`, text: String(n), onclick: rate(n) })),
    ]));
    children.push(el('label', { for: 'icm-comment', text: 'Comment (optional)' }), comment);
  } else {
    children.push(el('p', { class: 'icm-meta', text: 'Your role does not rate this expectation.' }));
  }
  children.push(mine);
  root.replaceChildren(...children);
}

// --- the admin page ------------------------------------------------------------------------

async function adminPage(root) {
  const installation = el('section');
  const field = (label, name, type = 'text') => [
    el('label', { for: `icm-${name}`, text: label }),
    el('input', { id: `icm-${name}`, name, type, required: true, ...(type === 'number' ? { min: 1, max: 366 } : {}) }),
  ];
  const form = el('form', { id: 'icm-settings', class: 'icm-card', 'aria-labelledby': 'icm-settings-title' }, [
    el('h2', { id: 'icm-settings-title', text: 'Settings' }),
    ...field('Issue type of an expectation', 'issueType'),
    ...field('Issue type of a goal (epic)', 'epicIssueType'),
    ...field('Issue link type', 'linkTypeName'),
    ...field('Ask for feedback every (days), by default', 'defaultCadenceDays', 'number'),
    el('div', { class: 'icm-row' }, [el('button', { type: 'submit', text: 'Save the settings' })]),
  ]);
  root.replaceChildren(el('h1', { text: 'Internal Customer Map' }), form, reviewPackSettings(), installation);
  const settings = await api('GET', '/settings');
  form.after(followUpsForm(settings)); // the follow-up questions (src/followups.js)
  for (const [k, v] of Object.entries(settings)) if (form[k]) form[k].value = v;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('PUT', '/settings', {
        issueType: form.issueType.value, epicIssueType: form.epicIssueType.value,
        linkTypeName: form.linkTypeName.value, defaultCadenceDays: Number(form.defaultCadenceDays.value),
      });
      say('Settings saved.');
    } catch (error) {
      say(error.message);
    }
  });
  showFragment(installation, await fragment('admin-page', ''));
}

// --- the general page and the macros: the service's fragment -----------------------------

async function fragmentView(root, context) {
  showFragment(root, await fragment(context.moduleKey, queryFor(context.extension)));
  wireDownloads(root);
}

const VIEWS = { 'team-page': teamPage, 'issue-panel': issuePanel, 'admin-page': adminPage };

// The service's fragments take their theme from a class on <html> (macros/style.py); keep it in
// step with the product's theme, which `view.theme.enable()` puts in `data-color-mode`.
export function followTheme(html) {
  const apply = () => {
    const mode = html.getAttribute('data-color-mode');
    html.classList.toggle('icm-theme-dark', mode === 'dark');
    html.classList.toggle('icm-theme-light', mode === 'light');
  };
  apply();
  new MutationObserver(apply).observe(html, { attributes: true, attributeFilter: ['data-color-mode'] });
}

async function main() {
  const root = document.getElementById('icm');
  try {
    followTheme(document.documentElement);
    await view.theme.enable().catch(() => undefined); // follow the product's light or dark theme
    const context = await view.getContext();
    await (VIEWS[context.moduleKey] ?? fragmentView)(root, context, await me());
  } catch (error) {
    fail(root, error?.message ? `${error.message} Reload the page.` : 'The app could not be reached. Reload the page.');
  }
}

if (typeof document !== 'undefined' && document.getElementById('icm')) {
  main();
}
