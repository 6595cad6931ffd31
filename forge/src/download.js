// "Download CSV" in the service's fragments (the expectations macro, the integrator map): the
// fragment carries a hidden button with the query of `/api/v1/expectations.csv`; on Forge the
// view asks for the same rows as JSON through `invokeRemote` (`/expectations/export`) and builds
// the file itself, as the service would: UTF-8 with a BOM, CRLF, formula-like cells neutralised.
import { api } from './remote.js';

// A cell a spreadsheet would read as a formula starts with one of these (connector/api/export.py).
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

export function cell(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_STARTS.some((start) => text.startsWith(start))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns, rows) {
  const lines = [columns, ...rows].map((row) => row.map(cell).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

function save(text, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

export function wireDownloads(root) {
  for (const button of root.querySelectorAll('button[data-icm-csv]')) {
    const status = button.parentNode.querySelector('.download-status');
    const say = (text) => { if (status) status.textContent = text; };
    const query = button.getAttribute('data-icm-csv');
    const name = button.getAttribute('data-icm-csv-name') || 'expectations.csv';
    button.addEventListener('click', async () => {
      button.disabled = true;
      say(`Preparing ${name}…`);
      try {
        const answer = await api('GET', `/expectations/export${query ? `?${query}` : ''}`);
        save(toCsv(answer.columns, answer.rows), name);
        say(`Downloaded ${name}.`);
      } catch (error) {
        say(`The file could not be made: ${error.message}. Reload the page and try again.`);
      } finally {
        button.disabled = false;
      }
    });
    const box = button.closest('.download');
    if (box) box.hidden = false;
  }
}
