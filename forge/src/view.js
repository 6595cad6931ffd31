// The Custom UI of every Forge module (built into static/view/view.js by `npm run build`).
// Every read and write goes to the service through `invokeRemote`: the REST API `/api/v1` with
// JSON bodies, and `/forge/ui/<module>` for the maps and tables the service renders. The user is
// the token's `principal`; only the actions the service's `permissions` allow are offered.
import { view } from '@forge/bridge';
import { wireDownloads } from './download.js';
import * as ui from './firstrun.js';
import { reviewPackButton, reviewPackSettings } from './review-pack.js';
import { followUpSteps, followUpsForm } from './followups.js';
import { measuresSection } from './measures.js';
import { api, el, fail, fragment, may, say, transitionsOf, viewData } from './remote.js';
import { routeLinks } from './router.js';

const PARAMS = ['team', 'sides', 'expectations', 'side'];
const SEED = 'What are the needs and expectations you have for me in my position?';
// Where an agreed expectation's Jira issue is, in words (the API's syncState).
const SYNC_WORDS = {
  pending: 'Jira issue on its way', synced: '', failed: 'Jira issue could not be made (the admin page says why)',
  detached: 'its Jira issue was deleted: an administrator can reattach it',
};

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

// The service words every health the same way on every page (connector/domain/health.py):
// `label` to show, `explanation` on hover (title) and on keyboard focus (icm.css).
export function healthBadge(health) {
  const band = health?.band ?? 'no_feedback';
  return el('span', { class: `icm-health band-${band}`, tabindex: 0, title: health?.explanation ?? '', text: health?.label ?? '' });
}

// --- the team page -----------------------------------------------------------------------

function expectationItem(expectation, side, refresh) {
  const moves = transitionsOf(expectation);
  const checked = expectation.permissions !== undefined;
  const can = (to, sideWanted) => moves.includes(to) && (checked || side === sideWanted);
  const actions = el('div', { class: 'icm-row' });
  const editor = el('div', { class: 'icm-inline' });
  // Each action answers with a flag in a plain sentence (`answer`: [title, body]); a cancelled
  // dialog (work() resolving false) answers nothing.
  const run = (label, work, answer = [`${label}: done`, '']) => async () => {
    try {
      if ((await work()) === false) return;
      say(answer[0]);
      ui.flag(...answer);
      await refresh();
    } catch (error) {
      say(error.message);
      ui.flag(error.message, '', 'error');
    }
  };
  const move = (to, extra = {}) => api('POST', `/expectations/${expectation.id}/transitions`, { to, ...extra });
  const button = (label, work, kind, answer) =>
    actions.appendChild(el('button', { type: 'button', class: kind || null, text: label, onclick: run(label, work, answer) }));
  // A button that only opens a form in place (no call, no refresh).
  const opener = (label, open) =>
    actions.appendChild(el('button', { type: 'button', class: 'secondary', text: label, 'aria-expanded': 'false',
      onclick: (event) => { event.currentTarget.setAttribute('aria-expanded', 'true'); open(); } }));

  if (expectation.state === 'draft' && can('proposed', 'supplier')) button('Propose', () => move('proposed'), null, ['Proposed to the customer.', 'They answer on their team page.']);
  if (expectation.state === 'proposed' && can('agreed', 'customer')) button('Agree', () => move('agreed'), null, ['Agreed. The Jira issue appears in a few seconds.', '']);
  if (expectation.state === 'proposed' && can('proposed', 'customer')) {
    button('Counter-propose', async () => {
      const words = await ui.askWords({ title: 'Counter-propose', label: 'Your expectation, in your own words', value: expectation.statement, submit: 'Send the counter-proposal' });
      return words ? move('proposed', { statement: words }) : false;
    }, 'secondary', ['Counter-proposal sent.', 'The supplier sees your words on its team page.']);
  }
  if (expectation.state !== 'retired' && (checked ? may(expectation, 'edit') : side === 'supplier')) {
    opener('Edit', () => editForm(expectation, editor, run));
  }
  if (expectation.state !== 'retired' && moves.includes('retired') && (checked || side === 'supplier')) {
    button('Retire', async () => {
      const yes = await ui.confirmDanger({ title: 'Retire this expectation?', body: `“${expectation.statement}” stops being asked for feedback and leaves the map. This cannot be undone.`, confirm: 'Retire' });
      return yes ? api('DELETE', `/expectations/${expectation.id}`) : false;
    }, 'danger', ['Retired.', 'It no longer shows on the map.']);
  }
  const issue = expectation.jiraIssueKey
    ? el('span', { class: 'icm-issue', text: expectation.jiraIssueKey })
    : el('span', { class: 'icm-meta', text: expectation.state === 'agreed' ? SYNC_WORDS[expectation.syncState] ?? '' : '' });
  const count = expectation.feedbackCount;
  return el('div', { class: 'icm-expectation', 'data-expectation': expectation.id }, [
    el('p', { class: 'icm-words', text: `“${expectation.statement}”` }),
    el('p', { class: 'icm-meta' }, [
      el('span', { class: 'icm-lozenge', text: expectation.state.replace('_', ' ') }), ' ',
      healthBadge(expectation.health), ` ${count} ${count === 1 ? 'rating' : 'ratings'} `, issue,
    ]),
    measuresSection(expectation, { api, say, refresh }),
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
    }), ['Changes saved.', 'The customer sees them on their team page.'])();
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

// A measure row; "Measured by" (by hand, or counted by a JQL query) and the query's field come
// from the shared module (ui/measures.js), as on the Connect pages.
function measureRow(index) {
  const id = (name) => `icm-measure-${index}-${name}`;
  return ui.measureSource(el('div', { class: 'icm-row icm-measure' }, [
    el('label', { for: id('name'), text: 'Measure' }), el('input', { id: id('name'), name: 'measureName', type: 'text' }),
    el('label', { for: id('target'), text: 'Target' }), el('input', { id: id('target'), name: 'measureTarget', type: 'number', step: 'any' }),
    el('label', { for: id('unit'), text: 'Unit' }), el('input', { id: id('unit'), name: 'measureUnit', type: 'text', size: 6 }),
    el('label', { for: id('direction'), text: 'Direction' }),
    el('select', { id: id('direction'), name: 'measureDirection' }, [
      el('option', { value: 'atLeast', text: 'at least' }), el('option', { value: 'atMost', text: 'at most' }),
    ]),
  ]));
}

// Each measure needs its target: null (with errors next to the fields) when one lacks it.
const measuresOf = (form) => ui.readMeasures(form);

function recordForm(map, refresh, cadenceDays, followUps, seedQuestion) {
  const choices = map.customers.map((r) => el('option', { value: r.id, text: `${r.customer.name} — ${r.service}` }));
  const measures = el('fieldset', { class: 'icm-measures' }, [el('legend', { text: 'Measures of performance' }), measureRow(0)]);
  let rows = 1;
  const more = el('button', { type: 'button', class: 'secondary', text: 'Add a measure',
    onclick: () => {
      const row = measureRow(rows++);
      measures.insertBefore(row, more);
      ui.removableMeasures(measures, more);
      row.querySelector('input').focus();
    } });
  measures.appendChild(more);
  const form = el('form', { id: 'icm-record', class: 'icm-card', 'aria-labelledby': 'icm-record-title', novalidate: true }, [
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
    const typed = measuresOf(form);
    if (typed === null) { ui.focusFirstError(form); return; }
    try {
      const made = await api('POST', '/expectations', {
        relationshipId: Number(form.relationshipId.value),
        statement: form.statement.value.trim(),
        whyItMatters: form.whyItMatters.value.trim() || null,
        growthOpportunity: form.growthOpportunity.value.trim() || null,
        measures: typed,
        cadenceDays: Number(form.cadenceDays.value),
        priority: form.priority.value,
      });
      if (propose) await api('POST', `/expectations/${made.id}/transitions`, { to: 'proposed' });
      form.reset();
      form.cadenceDays.value = cadenceDays;
      say(propose ? 'Proposed to the customer.' : 'Saved as a draft.');
      ui.flag(propose ? 'Proposed to the customer.' : 'Saved as a draft.', propose ? 'They answer on their team page.' : 'Propose it when it is ready.');
      await refresh();
      document.getElementById('icm-open-record')?.focus(); // the form closed: back to its opener
    } catch (error) {
      const rest = ui.showFieldErrors(error, { statement: form.statement, whyItMatters: form.whyItMatters, growthOpportunity: form.growthOpportunity, cadenceDays: form.cadenceDays, relationshipId: form.relationshipId });
      // A measure's error (Jira refusing its JQL, say) goes next to that measure's field.
      if (ui.showMeasureErrors(form, error)) { ui.focusFirstError(form); say('Not saved: see the message next to the measure.'); return; }
      if (rest) { say(rest); ui.flag(rest, '', 'error'); }
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

// The top of the team page: what waits for the viewer, then "Record an expectation", which
// opens the guided form (hidden until then) right below it. The form's steps are recordForm's
// children: a step added there (follow-up questions, say) opens with the rest.
function taskFirst(top, root, map, form) {
  // The form of the previous showing, if it was opened (moved out of its box), goes.
  for (const old of root.querySelectorAll('#icm-record')) if (old !== form) old.remove();
  const parts = [ui.waitingSummary(map, (id) => ui.showExpectation(root, id))];
  if (form) {
    form.hidden = true;
    const opener = el('button', { type: 'button', id: 'icm-open-record', 'aria-controls': 'icm-record', 'aria-expanded': 'false', text: 'Record an expectation' });
    opener.addEventListener('click', () => {
      top.insertAdjacentElement('afterend', form);
      form.hidden = false;
      opener.setAttribute('aria-expanded', 'true');
      form.querySelector('select, textarea, input').focus();
    });
    parts.push(el('div', { class: 'icm-row' }, [opener]));
  }
  const focused = document.activeElement?.id === 'icm-open-record';
  top.replaceChildren(...parts);
  if (focused) document.getElementById('icm-open-record')?.focus();
}

// One round trip: the service finds the project's team and answers everything the page shows
// (GET /forge/view/team-page: the team, its map, the fragment, the settings, the viewer).
async function teamPage(root, context) {
  const project = context.extension?.project?.key ?? '';
  const load = () => viewData('team-page', `project=${encodeURIComponent(project)}`);
  const first = await load();
  const team = first.team;
  const who = first.me ?? null;
  if (!team) {
    // Set up the team from here (an administrator), or say who can (firstrun.js / ui/setup.js).
    await ui.setupTeam(root, { api, flag: ui.flag, project, me: who, done: async () => teamPage(root, context) });
    return;
  }
  const picture = el('section', { class: 'icm-map', 'aria-label': 'Customer map' });
  const customers = el('div', { id: 'icm-customers' });
  const suppliers = el('div', { id: 'icm-suppliers' });
  const recording = el('div');
  const top = el('div', { class: 'icm-task-first' });
  const settings = first.settings ?? null;
  const cadenceDays = settings?.defaultCadenceDays ?? 30;
  root.replaceChildren(
    el('h1', { text: `${team.name}: internal customers and suppliers` }),
    top,
    picture,
    // Suppliers on the left, customers on the right: the way work flows, as on every map.
    el('div', { class: 'icm-columns' }, [
      el('section', { 'aria-labelledby': 'icm-suppliers-title' }, [el('h2', { id: 'icm-suppliers-title', text: 'Your suppliers' }), suppliers]),
      el('section', { 'aria-labelledby': 'icm-customers-title' }, [el('h2', { id: 'icm-customers-title', text: 'Your internal customers' }), customers]),
    ]),
    recording,
  );
  const render = ({ map, fragment: shown }) => {
    showFragment(picture, shown);
    const lead = mayManage(map.team, who);
    customers.replaceChildren(...(map.customers.length
      ? map.customers.map((r) => relationshipCard(r, 'supplier', refresh))
      : ui.emptySide({ api, flag: ui.flag, team: map.team, side: 'customer', manage: lead, mayCreate: Boolean(who?.siteAdmin), done: refresh })));
    suppliers.replaceChildren(...(map.suppliers.length
      ? map.suppliers.map((r) => relationshipCard(r, 'customer', refresh))
      : ui.emptySide({ api, flag: ui.flag, team: map.team, side: 'supplier', manage: lead, mayCreate: Boolean(who?.siteAdmin), done: refresh })));
    const manage = lead && map.customers.length > 0;
    const form = manage ? recordForm(map, refresh, cadenceDays, settings?.followUps, settings?.seedQuestion) : null;
    recording.replaceChildren(...(form ? [form] : []));
    taskFirst(top, root, map, form);
  };
  const refresh = async () => render(await load());
  render(first);
}

// --- the issue panel -----------------------------------------------------------------------

async function issuePanel(root, context) {
  const viewer = context.accountId; // the product's context names the viewer (view.getContext)
  const key = context.extension?.issue?.key;
  const found = key ? await api('GET', `/expectations?issueKey=${encodeURIComponent(key)}&state=all&limit=1`) : null;
  const expectation = found?.values?.[0];
  if (!expectation) {
    root.replaceChildren(el('p', { class: 'icm-empty', text: 'This issue is not an internal customer expectation.' }));
    return;
  }
  const mine = el('p', { id: 'icm-mine' });
  const measures = el('div', { id: 'icm-measures' });
  const showMeasures = async () => {
    const fresh = await api('GET', `/expectations/${expectation.id}`);
    measures.replaceChildren(...[measuresSection(fresh, { api, say, refresh: showMeasures })].filter(Boolean));
  };
  const children = [
    el('p', { class: 'icm-words' }, [el('strong', { text: expectation.statement })]),
    el('p', {}, ['Health: ', healthBadge(expectation.health)]),
    measures,
  ];
  if (may(expectation, 'rate')) {
    // The comment first, the labelled scale, an explicit Submit (ui/panel.js).
    children.push(ui.ratingForm({ submit: async (rating, comment) => {
      const given = await api('POST', `/expectations/${expectation.id}/feedback`, { rating, comment });
      say('Thank you: your rating is recorded.');
      ui.flag('Thank you: your rating is recorded.', 'The supplier sees it on its team page and in the map.');
      mine.textContent = ui.latestText(given);
    } }));
    // The viewer's latest rating, also after a reload (the list is newest first); asked beside
    // the content, not before it (one round trip on the critical path).
    if (viewer) {
      api('GET', `/expectations/${expectation.id}/feedback`)
        .then((given) => { if (!mine.textContent) mine.textContent = ui.latestText((given?.values ?? []).find((f) => f.authorAccountId === viewer)); })
        .catch(() => undefined);
    }
  } else {
    children.push(el('p', { class: 'icm-meta', text: "Only the customer side (its lead and members) and the relationship's integrator rate this expectation." }));
  }
  children.push(mine);
  root.replaceChildren(...children);
  measures.replaceChildren(...[measuresSection(expectation, { api, say, refresh: showMeasures })].filter(Boolean));
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
  // Both at once: one round trip before the page shows.
  const [settings, status, choices] = await Promise.all([
    api('GET', '/settings'),
    fragment('admin-page', ''),
    api('GET', '/settings/choices').catch((error) => { say(`Jira's issue types could not be read: ${error.message}`); return null; }),
  ]);
  root.replaceChildren(el('h1', { text: 'Internal Customer Map' }), form, reviewPackSettings(), installation);
  // Jira's own issue types and link types as pick-lists: a name Jira lacks cannot be typed.
  if (choices) {
    for (const [name, names] of [['issueType', choices.issueTypes], ['epicIssueType', choices.epicIssueTypes], ['linkTypeName', choices.linkTypeNames]]) {
      const input = form[name];
      const kept = names.includes(settings[name]) ? names : [...names, settings[name]];
      input.replaceWith(el('select', { id: input.id, name, required: true }, kept.map((n) => el('option', { value: n, text: n }))));
    }
  }
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
      ui.flag('Settings saved.', 'The next sync uses them.');
    } catch (error) {
      const rest = ui.showFieldErrors(error, { issueType: form.issueType, epicIssueType: form.epicIssueType, linkTypeName: form.linkTypeName, defaultCadenceDays: form.defaultCadenceDays });
      if (rest) { say(rest); ui.flag(rest, '', 'error'); }
    }
  });
  showFragment(installation, status);
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
    routeLinks(root); // links go through the product's router (Forge's iframe cannot navigate)
    const context = await view.getContext();
    root.setAttribute('aria-busy', 'true');
    await (VIEWS[context.moduleKey] ?? fragmentView)(root, context);
    root.removeAttribute('aria-busy');
    performance.mark('icm-content'); // time to content (tests/browser/test_forge_round_trips.py)
  } catch (error) {
    root.removeAttribute('aria-busy');
    fail(root, error?.message ? `${error.message} Reload the page.` : 'The app could not be reached. Reload the page.');
  }
}

if (typeof document !== 'undefined' && document.getElementById('icm')) {
  main();
}
