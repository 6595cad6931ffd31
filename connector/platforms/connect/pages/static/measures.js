/* An expectation's measures with their values over time, on both platforms: the Connect pages
   load this file as a module (it sets window.icmMeasures for icm.js), and the Forge Custom UI
   bundles it (forge/src/measures.js). It only builds the DOM; the platform hands it how to call
   the REST API (`api(method, path, body)` -> Promise), how to `say` something in the status
   line, and how to `refresh` after a change. The service decides who may do what; the
   expectation's `permissions` (recordValue, disputeValue) only hide what it would refuse. */

const SVG = 'http://www.w3.org/2000/svg';
let serial = 0;

function h(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => {
    if (value === undefined || value === null || value === false) return;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  });
  (children || []).forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([key, value]) => node.setAttribute(key, String(value)));
  return node;
}

export function withUnit(value, unit) {
  const number = String(Math.round(value * 1000) / 1000);
  return !unit || unit === '%' ? number + (unit || '') : `${number} ${unit}`;
}

function target(measure) {
  return `${measure.direction === 'atMost' ? '≤' : '≥'} ${withUnit(measure.target, measure.unit)}`;
}

// The history in words: what the chart shows, for screen readers (and anyone).
export function historyText(measure) {
  const points = measure.history || [];
  const said = points.map((p) => `${withUnit(p.value, measure.unit)} on ${p.date}${p.disputed ? ' (disputed)' : ''}`);
  return `${measure.name}: ${said.length ? said.join(', ') : 'no values yet'}; target ${target(measure)}`;
}

// A small chart of the recent values with the target as a dashed line (decoration: the words
// beside it say the same).
export function chart(measure) {
  const points = measure.history || [];
  const width = 120;
  const height = 32;
  const pad = 3;
  const picture = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, 'aria-hidden': 'true', focusable: 'false', class: 'icm-measure-chart' });
  if (!points.length) return picture;
  const values = points.map((p) => p.value).concat([measure.target]);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) { low -= 1; high += 1; }
  const y = (v) => (pad + (1 - (v - low) / (high - low)) * (height - 2 * pad)).toFixed(1);
  const step = (width - 2 * pad) / Math.max(points.length - 1, 1);
  const x = (i) => (points.length > 1 ? pad + i * step : width / 2).toFixed(1);
  picture.appendChild(svg('line', { x1: 0, x2: width, y1: y(measure.target), y2: y(measure.target), stroke: 'currentColor', 'stroke-opacity': '.5', 'stroke-dasharray': '3 2' }));
  picture.appendChild(svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
  points.forEach((p, i) => picture.appendChild(svg('circle', { cx: x(i), cy: y(p.value), r: 2, fill: p.disputed ? 'none' : 'currentColor', stroke: 'currentColor' })));
  return picture;
}

function latest(measure) {
  if (measure.countError) return `Jira refused the JQL: ${measure.countError}`;
  if (measure.latestValue === null || measure.latestValue === undefined) return 'no value yet';
  const day = measure.latestAt ? ` (${measure.latestAt.slice(0, 10)})` : '';
  return `latest ${withUnit(measure.latestValue, measure.unit)}${day}, ${measure.attained ? 'met' : 'not met'}`;
}

function run(ctx, label, work) {
  return () => Promise.resolve().then(work).then(
    () => { ctx.say(`${label}: done`); return ctx.refresh(); },
    (error) => ctx.say(`${label}: ${error.message}`)
  );
}

function field(label, input) {
  const id = `icm-measure-field-${++serial}`;
  input.id = id;
  return h('span', { class: 'icm-measure-field' }, [h('label', { for: id, text: label }), ' ', input]);
}

function recordForm(expectation, measure, ctx) {
  const value = h('input', { type: 'number', step: 'any', required: true, name: 'value', inputmode: 'decimal' });
  const day = h('input', { type: 'date', name: 'date', value: new Date().toISOString().slice(0, 10) });
  const note = h('input', { type: 'text', name: 'note', maxlength: 2000 });
  const path = `/expectations/${expectation.id}/measures/${measure.id}/values`;
  const form = h('form', { class: 'icm-measure-record', 'aria-label': `Record a value of ${measure.name}` }, [
    field(`Value${measure.unit ? ` (${measure.unit})` : ''}`, value), ' ',
    field('For the day', day), ' ',
    field('Note (optional)', note), ' ',
    h('button', { type: 'submit', text: 'Save the value' }),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { value: value.value === '' ? null : Number(value.value), date: day.value || null, note: note.value.trim() || null };
    run(ctx, `${measure.name}: value recorded`, () => ctx.api('POST', path, body))();
  });
  return form;
}

function disputeForm(expectation, measure, point, ctx) {
  const comment = h('input', { type: 'text', required: true, maxlength: 2000 });
  const path = `/expectations/${expectation.id}/measures/${measure.id}/values/${point.id}/dispute`;
  const form = h('form', { class: 'icm-measure-dispute' }, [
    field(`Why you dispute ${withUnit(point.value, measure.unit)} on ${point.date}`, comment), ' ',
    h('button', { type: 'submit', text: 'Send the dispute' }),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(ctx, 'Dispute', () => ctx.api('POST', path, { comment: comment.value.trim() }))();
  });
  return form;
}

function historyTable(expectation, measure, ctx) {
  const points = (measure.history || []).slice().reverse();
  if (!points.length) return null;
  const may = (expectation.permissions || {}).disputeValue;
  const rows = points.map((p) => {
    const where = h('td', {});
    if (p.disputed) where.appendChild(document.createTextNode(`disputed: ${p.disputeComment || ''}`));
    else if (may) {
      where.appendChild(h('button', { type: 'button', class: 'secondary', text: 'Dispute',
        onclick: (event) => { event.currentTarget.replaceWith(disputeForm(expectation, measure, p, ctx)); } }));
    }
    return h('tr', {}, [
      h('td', { text: p.date }),
      h('td', { text: withUnit(p.value, measure.unit) + (p.source === 'jql' ? ' (counted)' : '') }),
      h('td', { text: p.note || '' }),
      where,
    ]);
  });
  return h('details', { class: 'icm-measure-history' }, [
    h('summary', { text: `History of ${measure.name} (${points.length})` }),
    h('table', {}, [
      h('thead', {}, [h('tr', {}, ['Day', 'Value', 'Note', 'Dispute'].map((t) => h('th', { scope: 'col', text: t })))]),
      h('tbody', {}, rows),
    ]),
  ]);
}

function measureItem(expectation, measure, ctx) {
  const may = (expectation.permissions || {}).recordValue;
  const actions = h('span', { class: 'icm-measure-actions' });
  if (may && measure.source === 'jql') {
    const path = `/expectations/${expectation.id}/measures/${measure.id}/count`;
    actions.appendChild(h('button', { type: 'button', class: 'secondary', text: `Count ${measure.name} now`, onclick: run(ctx, `${measure.name} counted`, () => ctx.api('POST', path)) }));
  } else if (may) {
    actions.appendChild(h('button', { type: 'button', class: 'secondary', text: `Record a value of ${measure.name}`, 'aria-expanded': 'false',
      onclick: (event) => { event.currentTarget.replaceWith(recordForm(expectation, measure, ctx)); } }));
  }
  return h('li', { class: 'icm-measure', 'data-measure': measure.id }, [
    h('span', { class: 'icm-measure-name', text: `${measure.name}: target ${target(measure)}; ${latest(measure)}` }), ' ',
    measure.source === 'jql' ? h('code', { class: 'icm-measure-jql', text: measure.jql || '' }) : null,
    h('span', { class: 'icm-measure-picture' }, [chart(measure), h('span', { class: 'visually-hidden', text: historyText(measure) })]),
    actions,
    historyTable(expectation, measure, ctx),
  ]);
}

// The measures of one expectation, each with its latest value, its chart and history, and the
// forms this user may use (record by hand, count now, dispute).
export function measuresSection(expectation, ctx) {
  const measures = expectation.measures || [];
  if (!measures.length) return null;
  return h('ul', { class: 'icm-measures', 'aria-label': 'Measures' }, measures.map((m) => measureItem(expectation, m, ctx)));
}

if (typeof window !== 'undefined') {
  window.icmMeasures = { measuresSection, historyText, chart, withUnit };
}
