// "Set up your team", where a project has no team yet: the team (name, key, lead, members) and
// its customers and suppliers, each picked from the site's teams or created on the spot. Within
// the role table: a Jira administrator creates teams; a team's lead (or an administrator) adds
// relationships (`relationshipForm`, also offered by the team page's empty lists).
import { clearErrors, el, fieldError, showFieldErrors, uid } from './dom.js';
import { personField } from './people.js';

const NEW = '__new__';
const SIDES = {
  customer: { legend: 'Your internal customers: who receives what your team supplies?', team: 'Customer team', service: 'What you supply to them', add: 'Add a customer' },
  supplier: { legend: 'Your suppliers: who supplies what your team relies on?', team: 'Supplier team', service: 'What they supply to you', add: 'Add a supplier' },
};

// A key for a team made on the spot: its name's capitals and digits, unique on the site.
export function keyFor(name, taken) {
  const base = (name.normalize('NFKD').toUpperCase().replace(/[^A-Z0-9]/g, '') || 'TEAM').replace(/^[0-9]+/, '') || 'TEAM';
  let key = base.slice(0, 10);
  for (let n = 2; taken.has(key); n += 1) key = `${base.slice(0, 8)}${n}`;
  return key;
}

function relationshipRow(side, teams, remove, mayCreate) {
  const words = SIDES[side];
  const ids = { team: uid('icm-rel-team'), name: uid('icm-rel-name'), service: uid('icm-rel-service') };
  const select = el('select', { id: ids.team }, [
    el('option', { value: '', text: 'Choose a team' }),
    ...teams.map((t) => el('option', { value: t.key, text: t.name })),
    mayCreate ? el('option', { value: NEW, text: 'A new team…' }) : null,
  ]);
  const name = el('input', { id: ids.name, type: 'text', maxlength: 255 });
  const nameBox = el('div', { hidden: true }, [el('label', { for: ids.name, text: "The new team's name" }), name]);
  const service = el('input', { id: ids.service, type: 'text', maxlength: 500 });
  select.addEventListener('change', () => { nameBox.hidden = select.value !== NEW; if (!nameBox.hidden) name.focus(); });
  const row = el('div', { class: 'icm-rel-row icm-row row', 'data-side': side }, [
    el('div', {}, [el('label', { for: ids.team, text: words.team }), select]),
    nameBox,
    el('div', {}, [el('label', { for: ids.service, text: words.service }), service]),
    el('button', { type: 'button', class: 'secondary', text: 'Remove', 'aria-label': `Remove this ${side}`, onclick: () => remove(row) }),
  ]);
  row.read = () => ({ side, select, name, service, team: select.value, newName: name.value.trim(), what: service.value.trim() });
  return row;
}

// The rows of one side, with "Add a customer" / "Add a supplier"; `rows()` lists them.
function sideFieldset(side, teams, first, mayCreate = true) {
  const box = el('div');
  const remove = (row) => { row.remove(); add.focus(); };
  const add = el('button', { type: 'button', class: 'secondary', text: SIDES[side].add, onclick: () => {
    const row = relationshipRow(side, teams, remove, mayCreate);
    box.appendChild(row);
    row.querySelector('select').focus();
  } });
  if (first) box.appendChild(relationshipRow(side, teams, remove, mayCreate));
  const fieldset = el('fieldset', { class: 'icm-side' }, [el('legend', { text: SIDES[side].legend }), box, add]);
  return { fieldset, rows: () => [...box.children].map((row) => row.read()) };
}

// Check the rows in the page; a row with nothing chosen is skipped. Returns false on an error.
function checkRows(rows) {
  let ok = true;
  for (const row of rows) {
    if (!row.team && !row.what) continue;
    if (!row.team) { fieldError(row.select, 'Choose a team, or “A new team…”.'); ok = false; }
    if (row.team === NEW && !row.newName) { fieldError(row.name, "Give the new team's name."); ok = false; }
    if (!row.what) { fieldError(row.service, row.side === 'customer' ? 'Say what you supply to them.' : 'Say what they supply to you.'); ok = false; }
  }
  return ok;
}

// Make the teams named on the spot, then the relationships; returns how many of each side.
async function saveRows(api, teamKey, rows, taken) {
  const made = { customer: 0, supplier: 0 };
  for (const row of rows) {
    if (!row.team) continue;
    let other = row.team;
    if (other === NEW) {
      other = keyFor(row.newName, taken);
      try {
        await api('POST', '/teams', { key: other, name: row.newName });
      } catch (error) {
        fieldError(row.name, error.message);
        throw Object.assign(error, { shown: true });
      }
      taken.add(other);
      row.select.replaceChildren(el('option', { value: other, text: row.newName }));
      row.select.value = other;
      row.name.closest('div').hidden = true;
    }
    const body = row.side === 'customer'
      ? { supplier: teamKey, customer: other, service: row.what }
      : { supplier: other, customer: teamKey, service: row.what };
    try {
      await api('POST', '/relationships', body);
    } catch (error) {
      if (showFieldErrors(error, { service: row.service, supplier: row.select, customer: row.select }) !== null) fieldError(row.service, error.message);
      throw Object.assign(error, { shown: true });
    }
    row.select.closest('.icm-rel-row').remove();
    made[row.side] += 1;
  }
  return made;
}

async function siteTeams(api) {
  const page = await api('GET', '/teams?limit=100');
  return page.values ?? [];
}

const summary = (made) => `${made.customer} ${made.customer === 1 ? 'customer' : 'customers'} and ${made.supplier} ${made.supplier === 1 ? 'supplier' : 'suppliers'}`;

// The page of a project without a team. `done()` is called once the team exists.
export async function setupTeam(root, { api, flag, project, me, done }) {
  const where = project || 'this project';
  if (!me?.siteAdmin) {
    root.replaceChildren(
      el('h1', { text: `No team works in ${where} yet` }),
      el('p', { text: 'A Jira administrator sets up the team: its name, lead and members, and its customers and suppliers. Ask one to open this page and choose “Set up your team”; then its lead can add customers and suppliers here.' }),
    );
    return;
  }
  const teams = await siteTeams(api);
  const taken = new Set(teams.map((t) => t.key));
  const nameId = uid('icm-setup-name');
  const keyId = uid('icm-setup-key');
  const name = el('input', { id: nameId, type: 'text', maxlength: 255, required: true });
  const key = el('input', { id: keyId, type: 'text', maxlength: 32, required: true, value: project ? project.toUpperCase() : '' });
  const lead = personField(api, { label: 'Lead', hint: 'Leave it empty to lead the team yourself.' });
  const member = personField(api, { label: 'Add a member' });
  const memberList = el('ul', { class: 'icm-members', 'aria-label': 'Members' });
  const members = new Map();
  const addMember = el('button', { type: 'button', class: 'secondary', text: 'Add the member', onclick: async () => {
    const account = await member.resolve();
    if (!account) { if (account === null) fieldError(member.input, 'Type a name first.'); return; }
    fieldError(member.input, null);
    const shown = member.input.value;
    members.set(account, shown);
    const item = el('li', {}, [`${shown} `, el('button', { type: 'button', class: 'secondary', text: 'Remove', 'aria-label': `Remove ${shown}`, onclick: () => { members.delete(account); item.remove(); member.input.focus(); } })]);
    memberList.appendChild(item);
    member.input.value = '';
    member.input.focus();
  } });
  const customers = sideFieldset('customer', teams, true);
  const suppliers = sideFieldset('supplier', teams, false);
  const form = el('form', { id: 'icm-setup', class: 'icm-card card', novalidate: true, 'aria-labelledby': 'icm-setup-title' }, [
    el('h2', { id: 'icm-setup-title', text: 'Set up your team' }),
    el('label', { for: nameId, text: "Your team's name (or your position)" }), name,
    el('label', { for: keyId, text: 'Short key (capitals and digits)' }), key,
    ...lead.parts,
    el('fieldset', { class: 'icm-side' }, [el('legend', { text: 'Members (the lead always counts as one)' }), ...member.parts, addMember, memberList]),
    customers.fieldset,
    suppliers.fieldset,
    el('div', { class: 'icm-row row' }, [el('button', { type: 'submit', text: 'Set up the team' })]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const rows = [...customers.rows(), ...suppliers.rows()];
    let ok = checkRows(rows);
    if (!name.value.trim()) { fieldError(name, "Give your team's name."); ok = false; }
    if (!/^[A-Z][A-Z0-9_]{0,31}$/.test(key.value.trim())) { fieldError(key, 'Use 1 to 32 capitals, digits or _, starting with a capital (e.g. PAY).'); ok = false; }
    if (taken.has(key.value.trim())) { fieldError(key, `The key ${key.value.trim()} is taken by another team.`); ok = false; }
    const leadAccount = await lead.resolve();
    if (leadAccount === undefined) ok = false;
    if (!ok) { form.querySelector('[aria-invalid]')?.focus(); return; }
    const teamKey = key.value.trim();
    try {
      await api('POST', '/teams', { key: teamKey, name: name.value.trim(), jiraProjectKey: project ? project.toUpperCase() : null, leadAccountId: leadAccount ?? me.accountId });
    } catch (error) {
      const rest = showFieldErrors(error, { key, name, leadAccountId: lead.input, jiraProjectKey: key });
      if (rest) flag('The team was not set up', rest, 'error');
      return;
    }
    taken.add(teamKey);
    try {
      if (members.size) await api('PUT', `/teams/${encodeURIComponent(teamKey)}/members`, { accountIds: [...members.keys()] });
      const made = await saveRows(api, teamKey, rows, taken);
      flag(`${name.value.trim()} is set up.`, `With ${summary(made)}. Next: record what a customer expects.`);
    } catch (error) {
      flag(`${name.value.trim()} is set up, but not everything was saved.`, error.shown ? 'See the messages next to the fields, then add the rest from the team page.' : error.message, 'warning');
    }
    await done(teamKey);
  });
  root.replaceChildren(
    el('h1', { text: `No team works in ${where} yet` }),
    el('p', { text: 'Set it up here: name your team, its lead and members, and the teams it serves and relies on. Teams that are not in the map yet can be created on the spot.' }),
    form,
    importForm({ api, flag, done }),
  );
  name.focus();
}

// For those who have a list: teams, goals and relationships from a YAML or CSV file (POST
// /import, the format of `icm import`); every line is checked before anything is saved.
function importForm({ api, flag, done }) {
  const id = uid('icm-import-file');
  const file = el('input', { id, type: 'file', accept: '.yaml,.yml,.csv' });
  const form = el('form', { id: 'icm-import', class: 'icm-card card', novalidate: true, 'aria-labelledby': 'icm-import-title' }, [
    el('h2', { id: 'icm-import-title', text: 'Or import a list from a file' }),
    el('p', { class: 'icm-meta meta', text: 'A YAML or CSV file of teams, goals and relationships, as in the app\'s examples (organisation.yaml, organisation.csv). Nothing is saved unless every line is right; expectations are recorded on the team page.' }),
    el('label', { for: id, text: 'File (YAML or CSV)' }), file,
    el('div', { class: 'icm-row row' }, [el('button', { type: 'submit', class: 'secondary', text: 'Import the file' })]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = file.files?.[0];
    if (!chosen) { fieldError(file, 'Choose a file first.'); file.focus(); return; }
    try {
      const made = await api('POST', '/import', { format: /\.csv$/i.test(chosen.name) ? 'csv' : 'yaml', content: await chosen.text() });
      const n = made.created;
      flag('Imported.', `${n.team} new teams, ${n.goal} new goals and ${n.relationship} new relationships.`);
      await done(null);
    } catch (error) {
      const lines = error.details?.content;
      fieldError(file, Array.isArray(lines) ? `${error.message}: ${lines.join('; ')}` : error.message);
      file.focus();
    }
  });
  return form;
}

// "Add a customer" / "Add a supplier" on the team page (a lead of the team, or an administrator).
export async function relationshipForm(container, { api, flag, team, side, mayCreate, done }) {
  const teams = (await siteTeams(api)).filter((t) => t.key !== team.key);
  const taken = new Set([team.key, ...teams.map((t) => t.key)]);
  const fields = sideFieldset(side, teams, true, mayCreate);
  const form = el('form', { class: 'icm-card card icm-add-relationship', novalidate: true }, [
    fields.fieldset,
    el('div', { class: 'icm-row row' }, [
      el('button', { type: 'submit', text: 'Save' }),
      el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => form.remove() }),
    ]),
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const rows = fields.rows();
    if (!checkRows(rows) || !rows.some((r) => r.team)) {
      if (!rows.some((r) => r.team) && rows[0]) fieldError(rows[0].select, 'Choose a team, or “A new team…”.');
      form.querySelector('[aria-invalid]')?.focus();
      return;
    }
    try {
      const made = await saveRows(api, team.key, rows, taken);
      flag('Saved.', `${team.name} now has ${summary(made)} more.`);
      form.remove();
      await done();
    } catch (error) {
      if (!error.shown) flag('Not saved', error.message, 'error');
    }
  });
  container.replaceChildren(form);
  form.querySelector('select').focus();
}

// An empty list of customers or suppliers says what to do next, with the button that does it
// for those who may (`manage`: the team's lead or an administrator; only an administrator may
// create a team on the spot).
export function emptySide({ api, flag, team, side, manage, mayCreate, done }) {
  const [text, label] = side === 'customer'
    ? ['No customers yet: who receives what your team supplies?', 'Add a customer']
    : ['No suppliers yet: who supplies what your team relies on?', 'Add a supplier'];
  const hint = el('p', { class: 'icm-meta hint', text: manage ? text : `${text} The team's lead or a Jira administrator adds them here.` });
  if (!manage) return [hint];
  const box = el('div');
  const open = el('button', { type: 'button', text: label,
    onclick: () => relationshipForm(box, { api, flag, team, side, mayCreate, done }) });
  return [hint, open, box];
}
