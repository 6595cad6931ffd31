// The capture form's measures: each needs a name and a target (never a silent 0), and each row
// can be removed. Rows are `.measure` (Connect) or `.icm-measure` (Forge) with the same fields.
// A measure is recorded by hand or counted by a JQL query (Jira's approximate count, asked by
// the service on the expectation's cadence); Jira's parser checks the query when it is saved,
// and a refusal (the API's 422, Jira's own words) shows next to the query's field.
import { el, fieldError, uid } from './dom.js';

const ROWS = '.measure, .icm-measure';
const HOW = 'icm-measure-how';
// The rows of the measures last sent from each form, in the order of the body's `measures`
// (rows left empty are skipped): the API's errors name a measure by its index there.
const sentRows = new WeakMap();

// "Measured by" (by hand, or counted by a JQL query) and the query's field, shown only for
// the latter, added to a measure row once (a copy of a row drops its copies of them first).
export function measureSource(row) {
  if (row.querySelector(`.${HOW}`)) return row;
  const ids = { how: uid('icm-measure-source'), jql: uid('icm-measure-jql'), hint: uid('icm-measure-jql-hint') };
  const source = el('select', { id: ids.how, name: 'measureSource' }, [
    el('option', { value: 'manual', text: 'recorded by hand' }),
    el('option', { value: 'jql', text: 'counted by a JQL query' }),
  ]);
  const query = el('div', { class: 'icm-measure-query', hidden: true }, [
    el('label', { for: ids.jql, text: 'JQL query' }),
    el('textarea', { id: ids.jql, name: 'measureJql', rows: 2, spellcheck: 'false', 'aria-describedby': ids.hint }),
    el('p', { id: ids.hint, class: 'icm-hint', text: 'Jira counts the issues it matches, once per feedback cadence, e.g. project = PAY AND labels = incident. Jira checks the query when you save.' }),
  ]);
  const show = () => { query.hidden = source.value !== 'jql'; };
  source.addEventListener('change', show);
  row.appendChild(el('div', { class: HOW }, [el('label', { for: ids.how, text: 'Measured by' }), source]));
  row.appendChild(query);
  return row;
}

// Every row of `form` with its "Measured by" and query fields, each shown as its choice says
// (also after a reset, which sets the choice back without a change event).
export function measureSources(form) {
  for (const row of form.querySelectorAll(ROWS)) {
    measureSource(row);
    row.querySelector('.icm-measure-query').hidden = row.querySelector('[name="measureSource"]').value !== 'jql';
  }
}

// The measures typed, or null (with an error next to each field concerned) when one lacks its
// name, its target, or (counted by JQL) its query. A row left empty is skipped.
export function readMeasures(form) {
  let ok = true;
  const measures = [];
  const rows = [];
  for (const row of form.querySelectorAll(ROWS)) {
    const field = (name) => row.querySelector(`[name="${name}"]`);
    const name = field('measureName').value.trim();
    const targetText = field('measureTarget').value.trim();
    const counted = field('measureSource')?.value === 'jql';
    const jql = counted ? field('measureJql').value.trim() : '';
    for (const each of ['measureName', 'measureTarget', 'measureJql']) if (field(each)) fieldError(field(each), null);
    if (!name && !targetText && !jql) continue;
    if (!name) { fieldError(field('measureName'), 'Name the measure, e.g. “Payslips on time”.'); ok = false; continue; }
    const target = Number(targetText);
    if (!targetText || !Number.isFinite(target)) {
      fieldError(field('measureTarget'), `Give a target for “${name}”, e.g. 99.5.`);
      ok = false;
      continue;
    }
    if (counted && !jql) {
      fieldError(field('measureJql'), `Give the JQL query that counts “${name}”, e.g. project = PAY AND labels = incident.`);
      ok = false;
      continue;
    }
    const measure = { name, target, unit: field('measureUnit').value.trim() || null, direction: field('measureDirection').value };
    measures.push(counted ? { ...measure, source: 'jql', jql } : measure);
    rows.push(row);
  }
  sentRows.set(form, rows);
  return ok ? measures : null;
}

const MEASURE_FIELDS = {
  name: 'measureName', target: 'measureTarget', unit: 'measureUnit', direction: 'measureDirection',
  source: 'measureSource', jql: 'measureJql',
};

// The API's errors about the measures sent (`details.measures`: {index: {field: [messages]}},
// such as Jira's refusal of a query) next to the fields of their rows; true when one was placed.
export function showMeasureErrors(form, error) {
  const given = error?.details?.measures;
  const rows = sentRows.get(form) ?? [];
  if (!given || typeof given !== 'object' || Array.isArray(given)) return false;
  let placed = false;
  for (const [index, fields] of Object.entries(given)) {
    const row = rows[Number(index)];
    for (const [name, message] of Object.entries(fields ?? {})) {
      const field = row?.querySelector(`[name="${MEASURE_FIELDS[name]}"]`);
      if (!field) continue;
      fieldError(field, Array.isArray(message) ? message.join(' ') : String(message));
      placed = true;
    }
  }
  return placed;
}

// A "Remove" button on every measure row but the only one; `after` gets the focus when a row goes.
export function removableMeasures(form, after) {
  const rows = [...form.querySelectorAll(ROWS)];
  rows.forEach((row, index) => {
    let remove = row.querySelector('.icm-remove-measure');
    if (rows.length === 1) { remove?.remove(); return; }
    if (!remove) {
      remove = el('button', { type: 'button', class: 'secondary icm-remove-measure', text: 'Remove' });
      remove.addEventListener('click', () => { row.remove(); removableMeasures(form, after); after.focus(); });
      row.appendChild(remove);
    }
    remove.setAttribute('aria-label', `Remove measure ${index + 1}`);
  });
}

// The first field the form marks invalid gets the focus; true when there was one.
export function focusFirstError(form) {
  const bad = form.querySelector('[aria-invalid="true"]');
  if (bad) bad.focus();
  return Boolean(bad);
}
