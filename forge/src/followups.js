// The follow-up questions of the capture form, and their editor on the admin page. The set lives
// in the service's settings (GET /settings `followUps`: [{field, question}], the practice's own
// questions until an administrator edits them); each question feeds one field, answered in the
// customer's words. Fields no follow-up asks about stay in the form, under "Other details".
import { api, el, say } from './remote.js';

export const FIELDS = ['whyItMatters', 'measures', 'growthOpportunity', 'cadenceDays'];
const NAMES = {
  whyItMatters: 'Why it matters to them, in their words',
  measures: 'Measures of performance',
  growthOpportunity: 'An opportunity for growth, in their words',
  cadenceDays: 'Ask for feedback every (days)',
};

// The controls of one field; `measures` is the form's measures fieldset (built by the caller).
function controls(field, measures, cadenceDays, describedBy) {
  const hint = describedBy ? { 'aria-describedby': describedBy } : {};
  if (field === 'measures') return [measures];
  if (field === 'cadenceDays') {
    return [
      el('label', { for: 'icm-cadence', text: NAMES.cadenceDays }),
      el('input', { id: 'icm-cadence', name: 'cadenceDays', type: 'number', min: 1, max: 366, value: cadenceDays, ...hint }),
    ];
  }
  const id = field === 'whyItMatters' ? 'icm-why' : 'icm-growth';
  return [el('label', { for: id, text: NAMES[field] }), el('textarea', { id, name: field, rows: 2, ...hint })];
}

// Step 3 (the follow-ups, in the administrator's order) and step 4 (the fields not asked about).
export function followUpSteps(followUps, { measures, cadenceDays }) {
  const asked = (followUps ?? []).filter((f) => FIELDS.includes(f.field));
  const steps = asked.map((f, i) => {
    const questionId = `icm-follow-up-${i}`;
    return el('li', { class: 'icm-follow-up', 'data-field': f.field }, [
      el('p', { id: questionId, class: 'icm-question' }, ['Ask: ', el('q', { text: f.question })]),
      ...controls(f.field, measures, cadenceDays, questionId),
    ]);
  });
  const rest = FIELDS.filter((field) => !asked.some((f) => f.field === field));
  return [
    steps.length ? el('fieldset', { class: 'icm-follow-ups' }, [
      el('legend', { text: '3. Then ask the follow-up questions, one at a time' }),
      el('ol', {}, steps),
    ]) : null,
    rest.length ? el('fieldset', { class: 'icm-follow-ups' }, [
      el('legend', { text: '4. Other details' }),
      ...rest.flatMap((field) => controls(field, measures, cadenceDays)),
    ]) : null,
  ];
}

// The admin page's editor: one question per field (empty: not asked), in the fields' order.
export function followUpsForm(settings) {
  const rows = FIELDS.map((field) => {
    const id = `icm-follow-up-${field}`;
    const asked = (settings?.followUps ?? []).find((f) => f.field === field);
    const input = el('input', { id, name: field, type: 'text', maxlength: 200, size: 60 });
    input.value = asked?.question ?? '';
    return [el('label', { for: id, text: `Question feeding: ${NAMES[field].toLowerCase()}` }), input];
  });
  const form = el('form', { id: 'icm-follow-ups', class: 'icm-card', 'aria-labelledby': 'icm-follow-ups-title' }, [
    el('h2', { id: 'icm-follow-ups-title', text: 'Follow-up questions' }),
    el('p', { class: 'icm-meta', text: `After “${settings?.seedQuestion ?? ''}”, the capture form and the Rovo agent ask these, each feeding one field. Leave one empty not to ask it.` }),
    ...rows.flat(),
    el('div', { class: 'icm-row' }, [
      el('button', { type: 'submit', text: 'Save the questions' }),
      el('button', { type: 'button', class: 'secondary', text: 'Restore the default questions', onclick: () => save(form, null) }),
    ]),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = FIELDS.map((field) => ({ field, question: form[field].value.trim() })).filter((f) => f.question);
    save(form, chosen);
  });
  return form;
}

async function save(form, followUps) {
  try {
    const saved = await api('PUT', '/settings', { followUps });
    for (const field of FIELDS) form[field].value = saved.followUps.find((f) => f.field === field)?.question ?? '';
    say('Follow-up questions saved.');
  } catch (error) {
    say(error.message);
  }
}
