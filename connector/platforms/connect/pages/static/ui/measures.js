// The capture form's measures: each needs a name and a target (never a silent 0), and each row
// can be removed. Rows are `.measure` (Connect) or `.icm-measure` (Forge) with the same fields.
import { el, fieldError } from './dom.js';

const ROWS = '.measure, .icm-measure';

// The measures typed, or null (with an error next to each field concerned) when one lacks its
// name or its target. A row left empty is skipped.
export function readMeasures(form) {
  let ok = true;
  const measures = [];
  for (const row of form.querySelectorAll(ROWS)) {
    const field = (name) => row.querySelector(`[name="${name}"]`);
    const name = field('measureName').value.trim();
    const targetText = field('measureTarget').value.trim();
    fieldError(field('measureName'), null);
    fieldError(field('measureTarget'), null);
    if (!name && !targetText) continue;
    if (!name) { fieldError(field('measureName'), 'Name the measure, e.g. “Payslips on time”.'); ok = false; continue; }
    const target = Number(targetText);
    if (!targetText || !Number.isFinite(target)) {
      fieldError(field('measureTarget'), `Give a target for “${name}”, e.g. 99.5.`);
      ok = false;
      continue;
    }
    measures.push({ name, target, unit: field('measureUnit').value.trim() || null, direction: field('measureDirection').value });
  }
  return ok ? measures : null;
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
