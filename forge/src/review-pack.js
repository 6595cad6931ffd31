// "Write review pack" on each relationship of the team page: the service writes (or rewrites)
// the relationship's review pack page in Confluence for this quarter and answers with its URL,
// opened through the bridge's router (a Custom UI frame cannot navigate the product itself).
import { router } from '@forge/bridge';
import { api, el, say } from './remote.js';

export function currentQuarter(now = new Date()) {
  return `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
}

export function reviewPackButton(relationship, now = new Date()) {
  const period = currentQuarter(now);
  const holder = el('p', { class: 'icm-review-pack' });
  const write = async () => {
    say(`Writing the review pack for ${period}…`);
    try {
      const pack = await api('POST', `/relationships/${relationship.id}/review-pack?period=${period}`);
      const open = el('button', { type: 'button', class: 'secondary', text: `Open “${pack.title}”`,
        onclick: () => router.open(pack.url) });
      holder.replaceChildren(button, ' ', open);
      say(`Review pack written: ${pack.title} (version ${pack.version})`);
    } catch (error) {
      say(error.message);
    }
  };
  const button = el('button', { type: 'button', class: 'secondary', text: `Write review pack (${period})`, onclick: write });
  holder.appendChild(button);
  return holder;
}

// The admin page's review pack settings: the Confluence space, and the quarterly run (off by
// default). Saved on their own: PUT /settings changes only the fields it is given.
export function reviewPackSettings() {
  const space = el('input', { id: 'icm-reviewSpaceKey', name: 'reviewSpaceKey', type: 'text', autocomplete: 'off' });
  const scheduled = el('input', { id: 'icm-reviewPacksScheduled', name: 'reviewPacksScheduled', type: 'checkbox' });
  const form = el('form', { id: 'icm-review-settings', class: 'icm-card', 'aria-labelledby': 'icm-review-settings-title' }, [
    el('h2', { id: 'icm-review-settings-title', text: 'Review packs' }),
    el('label', { for: 'icm-reviewSpaceKey', text: 'Confluence space key for review packs (empty: none)' }), space,
    el('div', { class: 'icm-row' }, [scheduled,
      el('label', { for: 'icm-reviewPacksScheduled', text: "Write every relationship's pack in each quarter's last week" })]),
    el('div', { class: 'icm-row' }, [el('button', { type: 'submit', text: 'Save the review pack settings' })]),
  ]);
  api('GET', '/settings').then((settings) => {
    space.value = settings.reviewSpaceKey ?? '';
    scheduled.checked = Boolean(settings.reviewPacksScheduled);
  }, (error) => say(error.message));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('PUT', '/settings', { reviewSpaceKey: space.value.trim() || null, reviewPacksScheduled: scheduled.checked });
      say('Review pack settings saved.');
    } catch (error) {
      say(error.message);
    }
  });
  const failed = el('div', { id: 'icm-review-failed' });
  form.append(el('h3', { text: 'Review packs not written' }), failed);
  showFailed(failed);
  return form;
}

// The operations view's failed packs (GET /operations, administrators only), each with Retry.
async function showFailed(box) {
  let packs;
  try {
    packs = (await api('GET', '/operations')).reviewPacks ?? [];
  } catch (error) {
    box.replaceChildren(el('p', { class: 'icm-meta', text: error.message }));
    return;
  }
  if (!packs.length) {
    box.replaceChildren(el('p', { class: 'icm-meta', text: 'None.' }));
    return;
  }
  box.replaceChildren(el('ul', {}, packs.map((pack) => el('li', {}, [
    `${pack.title}: ${pack.error ?? ''} `,
    el('button', { type: 'button', class: 'secondary', text: `Retry pack #${pack.id}`, onclick: async () => {
      try {
        const written = await api('POST', pack.retry.replace(/^\/api\/v1/, ''));
        say(`Review pack written: ${written.title} (version ${written.version})`);
      } catch (error) {
        say(error.message);
      }
      showFailed(box);
    } }),
  ]))));
}
