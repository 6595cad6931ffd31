// Picking people of the site by name (GET /people?query=, Jira's user search), with a datalist.
import { el, fieldError, uid } from './dom.js';

export function personField(api, { label, hint }) {
  const id = uid('icm-person');
  const listId = `${id}-list`;
  const input = el('input', { id, type: 'text', list: listId, autocomplete: 'off' });
  const list = el('datalist', { id: listId });
  const known = new Map(); // display name -> accountId, from every answer so far
  let timer = null;
  const lookUp = async (query) => {
    if (!query) return [];
    const found = (await api('GET', `/people?query=${encodeURIComponent(query)}`)).values ?? [];
    for (const p of found) known.set(p.displayName, p.accountId);
    list.replaceChildren(...found.map((p) => el('option', { value: p.displayName })));
    return found;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => lookUp(input.value.trim()).catch(() => undefined), 200);
  });
  // The accountId of the person typed: null when empty, undefined (and an error next to the
  // field) when the name matches nobody or several people.
  const resolve = async () => {
    const name = input.value.trim();
    if (!name) return null;
    if (!known.has(name)) {
      const found = await lookUp(name);
      const exact = found.filter((p) => p.displayName.toLowerCase() === name.toLowerCase());
      const only = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : null;
      if (!only) {
        fieldError(input, found.length ? `Several people match “${name}”: choose one from the list.` : `Nobody on this site is called “${name}”.`);
        return undefined;
      }
      input.value = only.displayName;
      return only.accountId;
    }
    return known.get(name);
  };
  const parts = [el('label', { for: id, text: label }), input, list];
  if (hint) parts.push(el('p', { class: 'icm-meta meta', text: hint }));
  return { input, parts, resolve };
}
