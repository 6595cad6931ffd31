// Modal dialogs on the native <dialog> (focus kept inside, Escape closes): a confirmation for a
// danger action, and a form asking for words (the counter-proposal).
import { el, fieldError, uid } from './dom.js';

function open(content, titleText) {
  const titleId = uid('icm-dialog-title');
  const dialog = el('dialog', { class: 'icm-dialog', 'aria-labelledby': titleId }, [
    el('h2', { id: titleId, text: titleText }), ...content,
  ]);
  document.body.appendChild(dialog);
  dialog.showModal();
  dialog.addEventListener('close', () => dialog.remove());
  return dialog;
}

// Resolves true when the user confirms, false when they cancel (button or Escape).
export function confirmDanger({ title, body, confirm }) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = el('button', { type: 'button', class: 'danger', text: confirm,
      onclick: () => { answer = true; dialog.close(); } });
    const no = el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => dialog.close() });
    const dialog = open([el('p', { text: body }), el('div', { class: 'icm-row row' }, [yes, no])], title);
    dialog.addEventListener('close', () => resolve(answer));
    no.focus();
  });
}

// Resolves with the words typed (trimmed, not empty), or null when cancelled.
export function askWords({ title, label, value = '', submit }) {
  return new Promise((resolve) => {
    let answer = null;
    const id = uid('icm-dialog-words');
    const words = el('textarea', { id, rows: 4, required: true });
    words.value = value;
    const form = el('form', { method: 'dialog' }, [
      el('label', { for: id, text: label }), words,
      el('div', { class: 'icm-row row' }, [
        el('button', { type: 'submit', text: submit }),
        el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => dialog.close() }),
      ]),
    ]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!words.value.trim()) {
        fieldError(words, 'Write the expectation in your own words.');
        words.focus();
        return;
      }
      answer = words.value.trim();
      dialog.close();
    });
    const dialog = open([form], title);
    dialog.addEventListener('close', () => resolve(answer));
    words.focus();
  });
}
