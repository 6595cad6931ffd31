// The issue panel's rating form, for those who may rate: the comment first, then the scale with
// what each point means, then an explicit Submit. (Connect renders the same form on the server:
// connector/platforms/connect/panel.py.)
import { el, fieldError } from './dom.js';

export const SCALE = ['Not met', 'Rarely met', 'Partly met', 'Mostly met', 'Fully met'];

export function latestText(given) {
  return given ? `Your latest rating: ${given.rating} of 5${given.comment ? ` “${given.comment}”` : ''}` : '';
}

export function ratingForm({ submit }) {
  const comment = el('textarea', { id: 'icm-comment', rows: 3 });
  const error = el('p', { id: 'icm-rating-error', class: 'icm-error' });
  const choices = SCALE.map((words, i) => el('label', { class: 'icm-inline-label' }, [
    el('input', { type: 'radio', name: 'rating', value: i + 1 }), ` ${i + 1} ${words}`,
  ]));
  const form = el('form', { id: 'icm-rate', novalidate: true }, [
    el('label', { for: 'icm-comment', text: 'Your comment: what went well, what did not' }), comment,
    el('fieldset', { class: 'icm-rating' }, [el('legend', { text: 'How well is this expectation met?' }), ...choices]),
    error,
    el('button', { type: 'submit', text: 'Submit your rating' }),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="rating"]:checked');
    error.textContent = '';
    if (!chosen) {
      error.textContent = 'Choose how well it is met, from 1 to 5.';
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    try {
      await submit(Number(chosen.value), comment.value.trim() || null);
    } catch (failure) {
      error.textContent = `Your rating could not be recorded: ${failure.message}`;
      fieldError(comment, null);
    }
  });
  return form;
}
