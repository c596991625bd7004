// Building the page's elements: `h('button', {class: 'big', onclick}, t('submit'))`. Text is
// always set as text (never parsed as HTML), so nothing a server or a worker wrote can inject
// markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the contents of `el`. */
export function mount(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** A labelled field: `<label>text<input></label>` with a message slot below. */
export function field(label, input, note) {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input,
    note ? h('span', { class: 'note' }, note) : null);
}

/** `YYYY-MM-DD HH:MM` of an RFC 3339 time, in the phone's zone. */
export function when(rfc) {
  if (!rfc) return '';
  const d = new Date(rfc);
  if (Number.isNaN(d.getTime())) return rfc;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
