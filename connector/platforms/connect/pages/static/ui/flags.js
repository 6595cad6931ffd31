// Every action answers where the user looks: a flag from the product (Connect's AP.flag, Forge's
// showFlag), handed in by the page as `show({title, body, kind})`. Without one (Connect's all.js
// not loaded: `show` returns false) the flag is shown in the page, near what was acted on.
import { el } from './dom.js';

export function makeFlag(show) {
  return (title, body = '', kind = 'success') => {
    if (show) {
      try {
        if (show({ title, body, kind }) !== false) return;
      } catch {
        // fall through to the flag in the page
      }
    }
    inPage(title, body, kind);
  };
}

function inPage(title, body, kind) {
  // No live role: the page's status line (which every page also fills) announces it.
  const flag = el('div', { class: `icm-flag icm-flag-${kind}` }, [
    el('strong', { text: title }), body ? el('p', { text: body }) : null,
  ]);
  const near = document.activeElement && document.activeElement !== document.body
    ? document.activeElement.closest('form[id], section') : null; // not a card: it is redrawn
  if (near && near.isConnected) near.insertAdjacentElement('afterbegin', flag);
  else (document.querySelector('main') ?? document.body).prepend(flag);
  setTimeout(() => flag.remove(), 10000);
}
