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
