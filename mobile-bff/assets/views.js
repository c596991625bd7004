// The screens. Each takes the controller (`app`: state and actions) and returns elements; no
// screen talks to the server or the outbox itself.

import { h, field, when } from './dom.js';
import { t, lang, problem } from './i18n.js';
import { grouped } from './receipt.js';

const big = (label, onclick, cls = 'primary', extra = {}) =>
  h('button', { type: 'button', class: `big ${cls}`, onclick, ...extra }, label);

const errorBox = (id) => h('p', { class: 'error', id, role: 'alert', 'aria-live': 'assertive' });

export function home(app) {
  const s = app.state;
  return h('section', { class: 'screen' },
    h('p', { class: 'lead' }, t('home_lead')),
    s.intake ? h('p', { class: 'site' }, t('site_of', { name: s.intake.enterprise_name })) : null,
    big(t('start_report'), () => app.go('mode')),
    big(t('follow_up'), () => app.go('followup'), 'secondary'),
    s.session ? [
      big(t('mine'), () => app.go('mine'), 'secondary'),
      big(t('board'), () => app.go('board'), 'secondary'),
    ] : [
      big(t('login'), () => app.go('login'), 'secondary'),
      h('a', { class: 'big link', href: '#activate' }, t('activate')),
    ]);
}

export function mode(app) {
  const s = app.state;
  const err = errorBox('mode-error');
  const code = h('input', { id: 'intake-code', name: 'intake', autocomplete: 'off', autocapitalize: 'characters', inputmode: 'text', spellcheck: 'false' });
  const needCode = !s.intake;
  const card = (name, text, go, id) => h('button', { type: 'button', class: 'card', id, onclick: go },
    h('strong', {}, name), h('span', {}, text));
  return h('section', { class: 'screen' },
    h('h2', {}, t('choose_mode')),
    s.intake ? h('p', { class: 'site' }, t('site_of', { name: s.intake.enterprise_name })) : null,
    card(t('mode_confidential'), t('mode_confidential_text'), () => app.chooseMode('confidential'), 'mode-confidential'),
    card(t('mode_anonymous'), t('mode_anonymous_text'), () => {
      if (!app.state.intake) { err.textContent = t('mode_needs_code'); code.focus(); return; }
      app.chooseMode('anonymous');
    }, 'mode-anonymous'),
    needCode ? h('form', { class: 'stack', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const msg = await app.enterCode(code.value);
      if (msg) err.textContent = msg;
    } },
    h('p', {}, t('intake_or_login')),
    field(t('intake_code'), code),
    h('button', { type: 'submit', class: 'big secondary' }, t('intake_go'))) : null,
    err);
}

export function login(app) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = errorBox('login-error');
  return h('form', { class: 'screen stack', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const msg = await app.login(user.value.trim(), pass.value);
    if (msg) err.textContent = msg;
  } },
  h('h2', {}, t('login')),
  field(t('username'), user),
  field(t('password'), pass),
  h('button', { type: 'submit', class: 'big primary', id: 'login-go' }, t('login_go')),
  err,
  h('a', { class: 'big link', href: '#activate' }, t('activate')));
}

/** 修改密码 after an admin's reset: the temporary password, the new one twice. */
export function changePassword(app) {
  const current = h('input', { id: 'current-password', type: 'password', autocomplete: 'current-password', required: true });
  const pw = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true });
  const err = errorBox('password-error');
  return h('form', { class: 'screen stack', id: 'password-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = pw.value !== again.value ? t('activate_mismatch') : '';
    if (err.textContent) return;
    const msg = await app.changePassword(current.value, pw.value);
    if (msg) err.textContent = msg;
  } },
  h('h2', {}, t('password_change')),
  h('p', { class: 'lead', role: 'alert' }, t('password_change_why')),
  field(t('password_current'), current),
  field(t('password_new'), pw),
  field(t('password_again'), again),
  h('button', { type: 'submit', class: 'big primary', id: 'password-go' }, t('password_change_go')),
  err);
}

/** Checks the activation form; '' when it may be sent, else the sentence to show. */
export function activationProblem(code, pw, again) {
  if (!code.trim()) return problem('validation_failed');
  if ([...pw].length < 10) return t('activate_short');
  if (pw !== again) return t('activate_mismatch');
  return '';
}

export function activate(app) {
  const code = h('input', { id: 'activation-code', name: 'activation_code', autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false', required: true });
  const pw = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true });
  const err = errorBox('activate-error');
  return h('form', { class: 'screen stack', id: 'activate-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = activationProblem(code.value, pw.value, again.value);
    if (err.textContent) return;
    const msg = await app.activate(code.value.trim(), pw.value);
    if (msg) err.textContent = msg;
  } },
  h('h2', {}, t('activate')),
  field(t('activation_code'), code),
  field(t('password_new'), pw),
  field(t('password_again'), again),
  h('button', { type: 'submit', class: 'big primary', id: 'activate-go' }, t('activate_go')),
  err);
}

function criteriaPicker(app, draft) {
  const list = app.state.criteria || [];
  if (!list.length) return null;
  const search = h('input', { type: 'search', id: 'criteria-search', 'aria-label': t('criteria_search'), placeholder: t('criteria_search') });
  const box = h('div', { class: 'criteria', id: 'criteria-list' });
  const fill = () => {
    const q = search.value.trim().toLowerCase();
    const shown = list.filter((c) => !q || `${c.code} ${c.summary_zh} ${c.summary_en}`.toLowerCase().includes(q));
    box.replaceChildren(...(shown.length ? shown.map((c) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: c.code, checked: draft.criteria.includes(c.code), onchange: (e) => {
        draft.criteria = e.target.checked ? [...new Set([...draft.criteria, c.code])] : draft.criteria.filter((x) => x !== c.code);
        if (e.target.checked) { draft.level = 'major'; app.refreshLevel(); }
      } }),
      h('span', {}, `${c.code} ${lang() === 'en' ? c.summary_en : c.summary_zh}`))) : [h('p', {}, t('criteria_none'))]));
  };
  search.addEventListener('input', fill);
  fill();
  return h('details', { class: 'panel', open: draft.criteria.length > 0 },
    h('summary', {}, t('criteria')), search, box);
}

export function reportForm(app) {
  const s = app.state;
  const d = s.draft;
  const err = errorBox('form-error');
  const areas = s.intake ? s.intake.areas : [];
  const area = areas.length ? h('select', { id: 'area', onchange: (e) => { d.area_id = e.target.value || null; } },
    h('option', { value: '' }, t('area_none')),
    areas.map(([id, name]) => h('option', { value: id, selected: id === d.area_id }, name))) : null;
  const title = h('input', { id: 'title', maxlength: '200', autocomplete: 'off', oninput: (e) => { d.title = e.target.value; app.saveDraft(); } });
  title.value = d.title;
  const desc = h('textarea', { id: 'description', rows: '4', maxlength: '5000', oninput: (e) => { d.description = e.target.value; app.saveDraft(); } });
  desc.value = d.description;
  const levelBtn = (value) => h('button', { type: 'button', class: 'toggle', id: `level-${value}`, 'aria-pressed': String(d.level === value),
    onclick: () => { d.level = value; app.refreshLevel(); } }, t(`level_${value}`));
  const photoInput = (id, capture) => h('input', { type: 'file', id, accept: 'image/*', class: 'offscreen', capture: capture ? 'environment' : undefined,
    onchange: async (e) => { const f = e.target.files && e.target.files[0]; e.target.value = ''; if (f) err.textContent = (await app.addPhoto(f)) || ''; } });
  const cam = photoInput('photo-camera', true);
  const album = photoInput('photo-album', false);
  const thumbs = h('ul', { class: 'thumbs', id: 'thumbs' }, d.photos.map((p, i) => h('li', {},
    h('img', { src: p.url, alt: `${t('photos')} ${i + 1}` }),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'small', onclick: () => app.markup(i) }, t('photo_markup')),
      h('button', { type: 'button', class: 'small danger', onclick: () => app.removePhoto(i) }, t('photo_remove'))))));
  const full = d.photos.length >= 5;
  return h('form', { class: 'screen stack', id: 'report-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = (await app.submit()) || '';
  } },
  h('h2', {}, t('form_title')),
  h('p', { class: 'site' }, s.mode === 'anonymous' ? t('mode_anonymous') : t('mode_confidential'),
    s.intake ? ` · ${s.intake.enterprise_name}` : ''),
  area ? field(t('area'), area) : null,
  field(t('title'), title),
  field(t('description'), desc),
  h('fieldset', { class: 'level' }, h('legend', {}, t('level')), h('div', { class: 'row', id: 'level' }, levelBtn('general'), levelBtn('major'))),
  criteriaPicker(app, d),
  h('fieldset', {}, h('legend', {}, t('photos')),
    h('div', { class: 'row' },
      h('label', { class: `big photo-btn${full ? ' disabled' : ''}`, for: 'photo-camera' }, t('take_photo')),
      h('label', { class: `big photo-btn${full ? ' disabled' : ''}`, for: 'photo-album' }, t('pick_photo'))),
    cam, album,
    h('p', { class: 'note', id: 'photo-count' }, t('photo_count', { n: d.photos.length })),
    thumbs),
  err,
  h('button', { type: 'submit', class: 'big primary', id: 'submit' }, t('submit')));
}

export function sending() {
  return h('section', { class: 'screen', 'aria-live': 'polite' },
    h('h2', {}, t('sending')),
    h('progress', { id: 'progress', max: '100', value: '0' }),
    h('p', { id: 'progress-text', class: 'big-text' }, t('sending')));
}

export function markup(app, index) {
  const canvas = h('canvas', { id: 'markup-canvas', class: 'markup' });
  const tool = (name) => h('button', { type: 'button', class: 'toggle', id: `tool-${name}`, 'aria-pressed': String(name === 'circle'),
    onclick: (e) => { app.markupTool(name); for (const b of e.target.parentNode.children) b.setAttribute('aria-pressed', String(b === e.target)); } },
  t(`markup_${name}`));
  return h('section', { class: 'screen stack' },
    h('h2', {}, t('markup_title')),
    h('p', { class: 'note' }, t('markup_hint')),
    h('div', { class: 'row' }, tool('circle'), tool('arrow'), tool('black')),
    canvas,
    h('div', { class: 'row' },
      big(t('markup_undo'), () => app.markupUndo(), 'secondary', { id: 'markup-undo' }),
      big(t('markup_cancel'), () => app.go('report'), 'secondary', { id: 'markup-cancel' })),
    big(t('markup_done'), () => app.markupDone(index), 'primary', { id: 'markup-done' }));
}

/** 保存举报凭证 for one proof: the file and, when the server could draw it, the picture. */
function proofSave(app, doc, id) {
  const out = h('div', { class: 'stack', id: `${id}-out` });
  return h('div', { class: 'stack' },
    big(t('proof_save'), async (e) => {
      e.target.disabled = true;
      const saved = await app.saveProof(doc);
      const picture = saved.pictureUrl
        ? [h('img', { src: saved.pictureUrl, alt: t('proof_picture_title'), class: 'receipt-img', id: `${id}-img` }),
          h('p', { class: 'note' }, t('proof_picture_saved'))]
        : [h('p', { class: 'note' }, t('proof_picture_offline'))];
      out.replaceChildren(
        h('a', { href: saved.fileUrl, download: saved.fileName, class: 'big link', id: `${id}-file` }, t('proof_file')),
        ...picture);
      e.target.disabled = false;
    }, 'secondary', { id }),
    out);
}

/** The report's proofs: what each proves and when, each with 保存举报凭证. */
function proofs(app, docs) {
  if (!docs || !docs.length) return null;
  return h('div', { class: 'panel', id: 'proofs' },
    h('h3', {}, t('proof_title')),
    h('p', { class: 'note' }, t('proof_explain')),
    h('ul', { class: 'list' }, docs.map((d, i) => h('li', { class: 'stack' },
      h('span', {}, `${t(`proof_kind_${String(d.kind).replace('.', '_')}`)} · ${when(d.at)}`),
      proofSave(app, d, `proof-save-${i}`)))));
}

export function receipt(app, entry) {
  const code = entry.receipt.receipt_code;
  const status = h('p', { id: 'receipt-status', role: 'status', class: 'note' });
  const pic = h('div', { id: 'receipt-picture' });
  return h('section', { class: 'screen stack receipt' },
    h('h2', {}, t('receipt_title')),
    h('p', { class: 'warning', id: 'receipt-warning' }, t('receipt_warning')),
    h('p', { class: 'label' }, t('receipt_code')),
    h('p', { class: 'code', id: 'receipt-code' }, grouped(code)),
    h('div', { class: 'row' },
      big(t('receipt_copy'), async () => { status.textContent = (await app.copyReceipt(code)) ? t('receipt_copied') : t('receipt_copy_failed'); }, 'secondary', { id: 'receipt-copy' }),
      big(t('receipt_save'), async () => { const url = await app.receiptPicture(code); pic.replaceChildren(h('img', { src: url, alt: t('receipt_picture_title'), class: 'receipt-img' }), h('a', { href: url, download: 'qingling-receipt.png', class: 'big link' }, t('receipt_save'))); status.textContent = t('receipt_saved'); }, 'secondary', { id: 'receipt-save' })),
    status, pic,
    entry.receipt.proof ? h('div', { class: 'panel' },
      h('h3', {}, t('proof_title')),
      h('p', { class: 'note' }, t('proof_explain')),
      proofSave(app, entry.receipt.proof, 'proof-save')) : null,
    big(t('receipt_done'), () => app.dismissReceipt(entry), 'primary', { id: 'receipt-done' }));
}

export function pending(app, entries) {
  return h('section', { class: 'screen stack' },
    h('h2', {}, t('pending_title')),
    h('ul', { class: 'list', id: 'pending-list' }, entries.map((e) => h('li', {},
      h('strong', {}, e.report.title),
      h('span', { class: 'note' }, when(new Date(e.created_at).toISOString())),
      e.state === 'failed' ? h('span', { class: 'error' }, t('pending_failed', { msg: problem(e.error) })) : null,
      e.mode === 'confidential' && !app.state.session ? h('span', { class: 'note' }, t('pending_needs_login')) : null,
      h('button', { type: 'button', class: 'small danger', onclick: () => app.deletePending(e.key) }, t('pending_delete'))))),
    big(t('pending_retry'), () => app.flush(true), 'primary', { id: 'pending-retry' }));
}

export function followupForm(app) {
  const code = h('input', { id: 'receipt-input', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', required: true });
  const err = errorBox('followup-error');
  return h('form', { class: 'screen stack', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = (await app.lookUp(code.value)) || '';
  } },
  h('h2', {}, t('followup_title')),
  field(t('followup_code'), code),
  h('button', { type: 'submit', class: 'big primary', id: 'followup-go' }, t('followup_go')),
  err);
}

const roleName = (r) => (r ? t(`role_${r}`) : '');
const statusText = (s) => t(`status_${s}`);
const hazardText = (s) => t(`hz_${s}`);

function sendBox(label, id, send, button = t('message_send')) {
  const text = h('textarea', { id, rows: '3', maxlength: '2000', 'aria-label': label });
  const note = h('p', { class: 'note', role: 'status' });
  return h('form', { class: 'stack', onsubmit: async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    const msg = await send(text.value.trim());
    note.textContent = msg || t('message_sent');
    if (!msg) text.value = '';
  } }, h('span', { class: 'label' }, label), text, h('button', { type: 'submit', class: 'big secondary' }, button), note);
}

export function followup(app, f, who) {
  const p = f.progress;
  const evidence = h('div', { class: 'thumbs', id: 'evidence-photos' });
  if (p && p.evidence.length) app.loadEvidence(who, p.evidence, evidence);
  const appealed = f.timeline.some((e) => /appeal/.test(e.kind)) || f.messages.some((m) => m.sender === 'bureau' || m.recipient === 'bureau');
  const reward = f.reward;
  return h('section', { class: 'screen stack', id: 'followup' },
    h('h2', {}, f.title),
    h('div', { class: 'panel' },
      h('p', { class: 'label' }, t('status')),
      h('p', { class: 'big-text', id: 'followup-status' }, statusText(f.status)),
      f.status_note ? h('p', { id: 'followup-reason' }, t('reason', { reason: f.status_note })) : null),
    p ? h('div', { class: 'panel', id: 'progress-panel' },
      h('p', { class: 'label' }, t('progress')),
      h('p', { class: 'big-text', id: 'hazard-status' }, hazardText(p.status)),
      h('h3', {}, t('plan')),
      p.plan ? [
        h('p', {}, t('plan_measures', { m: p.plan.measures })),
        p.plan.deadline ? h('p', { id: 'plan-deadline' }, t('plan_deadline', { d: p.plan.deadline })) : null,
        p.plan.overdue ? h('p', { class: 'error' }, t('plan_overdue')) : null,
      ] : h('p', {}, t('plan_none')),
      p.closed_at ? h('p', { id: 'closed-at' }, t('closed_at', { d: when(p.closed_at) })) : null,
      p.evidence.length ? [h('h3', {}, t('evidence')), p.evidence.map((e) => h('p', {}, e.note)), evidence] : null,
      h('h3', {}, t('hz_timeline')),
      h('ol', { class: 'timeline' }, p.steps.map((st) => h('li', {}, `${when(st.at)} · ${roleName(st.by)} · ${st.to_status ? hazardText(st.to_status) : st.kind}`)))) : null,
    h('div', { class: 'panel' },
      h('h3', {}, t('timeline')),
      h('ol', { class: 'timeline', id: 'report-timeline' }, f.timeline.map((e) => h('li', {},
        `${when(e.at)} · ${roleName(e.by)} · ${e.to_status ? statusText(e.to_status) : e.kind}${e.note ? ` · ${e.note}` : ''}`)))),
    reward ? h('div', { class: 'panel', id: 'reward' },
      h('h3', {}, t('reward')),
      h('p', {}, t('reward_amount', { yuan: (reward.amount_fen / 100).toFixed(2) })),
      h('p', {}, t(`reward_${reward.status}`)),
      reward.held_until ? h('p', {}, t('reward_held_until', { m: reward.held_until })) : null,
      reward.payout_claimed ? h('p', {}, t('reward_claimed')) : null,
      reward.payout_opened_at ? h('p', {}, t('reward_opened', { when: when(reward.payout_opened_at), role: roleName(reward.payout_opened_by_role) })) : null,
      reward.payout_seen_by && !reward.payout_opened_at ? h('p', { class: 'note' }, lang() === 'en' ? reward.payout_seen_by.notice_en : reward.payout_seen_by.notice_zh) : null,
      reward.claimable && 'code' in who ? sendBox(t('reward_claim'), 'payout', (v) => app.followupAction(who, 'claim', v), t('reward_claim_go')) : null) : null,
    h('div', { class: 'panel' },
      h('h3', {}, t('messages')),
      h('ul', { class: 'messages', id: 'messages' }, f.messages.map((m) => h('li', { class: `from-${m.sender}` },
        h('span', { class: 'note' }, `${t(`from_${m.sender}`)} → ${t(`from_${m.recipient}`)} · ${when(m.created_at)}`), h('span', {}, m.body)))),
      sendBox(t('message_to_enterprise'), 'message-enterprise', (v) => app.followupAction(who, 'message', v)),
      appealed ? sendBox(t('message_to_bureau'), 'message-bureau', (v) => app.followupAction(who, 'messageBureau', v)) : null),
    appealed ? null : h('details', { class: 'panel' },
      h('summary', {}, t('appeal')),
      h('p', {}, t('appeal_text')),
      sendBox(t('appeal_reason'), 'appeal-reason', (v) => app.followupAction(who, 'appeal', v), t('appeal_go'))),
    h('div', { class: 'panel' },
      h('h3', {}, t('disclosures')),
      f.disclosures.length ? h('ul', { class: 'list' }, f.disclosures.map((d) => h('li', {},
        t('disclosure_line', { when: when(d.requested_at), to: roleName(d.to_role), reason: d.reason, status: d.status }))))
        : h('p', {}, t('disclosures_none'))),
    proofs(app, f.proofs));
}

export function mine(app, page) {
  return h('section', { class: 'screen stack' },
    h('h2', {}, t('mine')),
    page.items.length ? h('ul', { class: 'list', id: 'mine-list' }, page.items.map((r) => h('li', {},
      h('button', { type: 'button', class: 'row-btn', onclick: () => app.openMine(r.report_id) },
        h('strong', {}, r.title), h('span', {}, `${statusText(r.status)} · ${when(r.created_at)}`)))))
      : h('p', {}, t('mine_empty')));
}

export function board(app, page) {
  return h('section', { class: 'screen stack' },
    h('h2', {}, t('board')),
    page.items.length ? h('ul', { class: 'list', id: 'board-list' }, page.items.map((x) => h('li', {},
      h('strong', {}, x.title || ''),
      h('span', {}, `${t(`kind_level_${x.level}`)} · ${hazardText(x.status)}${x.area ? ` · ${x.area}` : ''}`),
      h('span', { class: 'note' }, t('board_found', { d: x.found_on })),
      x.measures ? h('span', {}, t('plan_measures', { m: x.measures })) : null,
      x.closed_on ? h('span', { class: 'note' }, t('board_closed', { d: x.closed_on })) : null)))
      : h('p', {}, t('board_empty')));
}

/** A problem as the worker reads it. */
export function say(err) {
  if (!err) return t('err_unknown');
  if (err.code === 'network') return t('err_network');
  return problem(err.code);
}
