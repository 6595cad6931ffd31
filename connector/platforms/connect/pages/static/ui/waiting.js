// The top of the team page: what waits for the viewer, then the one primary action.
import { el } from './dom.js';

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function allExpectations(map) {
  return [...map.customers, ...map.suppliers].flatMap((r) => r.expectations.map((e) => ({ ...e, relationship: r })));
}

// "today", "yesterday", "5 days ago".
export function ago(at, now = Date.now()) {
  const days = Math.floor((now - Date.parse(at)) / 86400000);
  return days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
}

const can = (e, to) => ((e.permissions ?? {}).transitions ?? []).includes(to);

// What the viewer has to do, from the map's expectations and their `permissions`: each item
// `{text, ids}` (the expectations it concerns).
export function waitingItems(map) {
  const all = allExpectations(map);
  const answer = all.filter((e) => e.state === 'proposed' && can(e, 'agreed'));
  const drafts = all.filter((e) => e.state === 'draft' && can(e, 'proposed'));
  const failed = all.filter((e) => e.syncState === 'failed');
  const items = [];
  if (answer.length) items.push({ text: `${plural(answer.length, 'proposal waits', 'proposals wait')} for your answer`, ids: answer.map((e) => e.id) });
  if (drafts.length) items.push({ text: `${plural(drafts.length, 'draft', 'drafts')} to propose to the customer`, ids: drafts.map((e) => e.id) });
  for (const e of all.filter((x) => x.feedbackRequestedAt && (x.permissions ?? {}).rate)) {
    items.push({ text: `Feedback asked ${ago(e.feedbackRequestedAt)}: “${e.statement}”`, ids: [e.id] });
  }
  for (const e of failed) {
    items.push({ text: `Not filed in Jira yet: “${e.statement}” (${e.syncError || 'the sync failed'})`, ids: [e.id] });
  }
  return items;
}

// The summary: a heading, one line per item with a button that shows the first expectation it
// concerns, or "Nothing waits for you." (`show(id)` scrolls to and focuses it).
export function waitingSummary(map, show) {
  const items = waitingItems(map);
  const list = items.length
    ? el('ul', { class: 'icm-waiting-list' }, items.map((item) => el('li', {}, [
      `${item.text} `,
      el('button', { type: 'button', class: 'secondary', text: 'Show', 'aria-label': `Show: ${item.text}`, onclick: () => show(item.ids[0]) }),
    ])))
    : el('p', { class: 'icm-meta meta', text: 'Nothing waits for you.' });
  return el('section', { id: 'icm-waiting', class: 'icm-waiting', 'aria-labelledby': 'icm-waiting-title' }, [
    el('h2', { id: 'icm-waiting-title', text: 'Waiting for you' }), list,
  ]);
}

// Scroll to an expectation's card and put the focus on its first button.
export function showExpectation(root, id) {
  const card = root.querySelector(`[data-expectation="${id}"]`);
  if (!card) return;
  card.scrollIntoView({ block: 'center' });
  const target = card.querySelector('button') ?? card;
  if (target === card) card.setAttribute('tabindex', '-1');
  target.focus();
}
