// The pages' shared UI (ES modules), used by both platforms: the Connect pages load them as
// modules (ui/connect.js), the Forge Custom UI bundles them (forge/src/*.js import them; esbuild).
// Nothing here knows a platform: each page hands in `api(method, path, body)` and `flag(...)`.

// A tiny DOM builder: attributes (`text` sets textContent, `on*` adds a listener), children.
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

let serial = 0;
export function uid(prefix) {
  serial += 1;
  return `${prefix}-${serial}`;
}

// An error shown next to the field it concerns (and tied to it for screen readers, before any
// hint the field was already described by).
export function fieldError(field, message) {
  const id = `${field.id || uid('icm-field')}-error`;
  if (!field.id) field.id = id.replace(/-error$/, '');
  let note = document.getElementById(id);
  const others = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((t) => t && t !== id);
  if (!message) {
    if (note) note.remove();
    field.removeAttribute('aria-invalid');
    if (others.length) field.setAttribute('aria-describedby', others.join(' '));
    else field.removeAttribute('aria-describedby');
    return;
  }
  if (!note) {
    note = el('p', { id, class: 'icm-error' });
    // After the field's label when the label wraps it (the label's text stays the field's name).
    (field.closest('label') ?? field).insertAdjacentElement('afterend', note);
  }
  note.textContent = message;
  field.setAttribute('aria-invalid', 'true');
  field.setAttribute('aria-describedby', [id, ...others].join(' '));
}

export function clearErrors(root) {
  for (const note of root.querySelectorAll('.icm-error')) note.remove();
  for (const field of root.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
}

// The API's 422 names fields in `details`: each message goes next to its field in `fields`
// (a map from the API's field name to the element); what names no field is returned.
export function showFieldErrors(error, fields) {
  const details = error?.details ?? {};
  let rest = error?.message ?? String(error);
  let placed = false;
  for (const [name, message] of Object.entries(details)) {
    const field = fields[name];
    if (field) {
      fieldError(field, Array.isArray(message) ? message.join(' ') : String(message));
      if (!placed) field.focus();
      placed = true;
    }
  }
  return placed ? null : rest;
}
