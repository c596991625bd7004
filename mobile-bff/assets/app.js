// The phone page's controller: state, navigation by the URL fragment (which never reaches the
// server), and the actions the screens call. Sending goes through the outbox (queue.js) first,
// so a report survives a dead network, a closed page or a dropped connection, and is retried
// with the same Idempotency-Key until the server has answered.

import { h, mount, when } from './dom.js';
import { t, setLang, lang } from './i18n.js';
import * as api from './api.js';
import * as queue from './queue.js';
import { shrink } from './shrink.js';
import * as markup from './markup.js';
import * as receipt from './receipt.js';
import * as proof from './proof.js';
import * as views from './views.js';

const SESSION = 'qingling.session';
const INTAKE = 'qingling.intake';
const DRAFT_KEY = 'draft';
const MAX_PHOTOS = 5;

const root = document.getElementById('app');
const header = document.getElementById('top');

function readJson(storage, key) {
  try { return JSON.parse(storage.getItem(key) || 'null'); } catch (_) { return null; }
}
function writeJson(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch (_) { /* storage refused: kept in memory only */ }
}

const emptyDraft = () => ({ title: '', description: '', area_id: null, level: 'general', criteria: [], photos: [] });

const state = {
  session: readJson(window.sessionStorage, SESSION),
  intake: readJson(window.sessionStorage, INTAKE),
  mode: null,
  draft: emptyDraft(),
  criteria: [],
  hasQueue: queue.available(),
  waiting: 0,
  screen: 'home',
  afterLogin: null,
};

let editor = null;
let editorImage = null;
let flushing = false;
let timer = null;
let showingReceipt = false;

// ---- header: title, language switch, 待发送 N 条, log out ------------------------------------
function renderHeader() {
  mount(header,
    h('a', { href: '#', class: 'brand' }, t('app_title')),
    h('div', { class: 'row' },
      state.waiting > 0 ? h('button', { type: 'button', class: 'pending-badge', id: 'pending', onclick: () => go('pending') }, t('pending', { n: state.waiting })) : null,
      state.session ? h('button', { type: 'button', class: 'small', id: 'logout', onclick: logoutNow }, t('logout')) : null,
      h('button', { type: 'button', class: 'small', id: 'lang', lang: lang() === 'zh' ? 'en' : 'zh-CN', onclick: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); renderHeader(); route(); } }, t('switch_lang'))),
    state.hasQueue ? null : h('p', { class: 'warning', id: 'no-idb' }, t('no_idb')));
  document.title = t('app_title');
}

async function countWaiting() {
  if (!state.hasQueue) return;
  try { state.waiting = (await queue.waiting()).length; } catch (_) { state.waiting = 0; }
  renderHeader();
}

// ---- navigation -------------------------------------------------------------------------------
function go(screen) {
  if (window.location.hash === `#${screen}`) route();
  else window.location.hash = screen;
}

async function route() {
  if (showingReceipt) return;
  const frag = window.location.hash.replace(/^#/, '');
  const entry = /^([ia])=(.+)$/.exec(frag);
  if (entry) {
    // A poster's code: resolve it, then drop it from the address bar. Nothing stays tappable
    // meanwhile, so a tap cannot land on the screen that is about to go.
    mount(root, h('p', { class: 'lead', role: 'status' }, t('loading')));
    const msg = await enterCode(decodeURIComponent(entry[2]), true);
    window.history.replaceState(null, '', window.location.pathname + (msg ? '#' : '#mode'));
    if (msg) { mount(root, views.home(app), h('p', { class: 'error', role: 'alert' }, msg)); return; }
    return route();
  }
  state.screen = frag || 'home';
  // An admin reset the password: nothing else until the worker has picked their own.
  if (state.session && state.session.mustChange && state.screen !== 'password') return go('password');
  window.scrollTo(0, 0);
  switch (state.screen) {
    case 'mode': return mount(root, views.mode(app));
    case 'login': return mount(root, views.login(app));
    case 'password': return state.session ? mount(root, views.changePassword(app)) : go('login');
    case 'activate': return mount(root, views.activate(app));
    case 'report':
      if (!state.mode) return go('mode');
      return mount(root, views.reportForm(app));
    case 'followup': return mount(root, views.followupForm(app));
    case 'pending': return mount(root, views.pending(app, state.hasQueue ? await queue.waiting() : []));
    case 'mine': return withSession(async (token) => mount(root, views.mine(app, await api.mine(token))));
    case 'board': return withSession(async (token) => mount(root, views.board(app, await api.board(token))));
    default: return mount(root, views.home(app));
  }
}

function withSession(work) {
  if (!state.session) { state.afterLogin = state.screen; return go('login'); }
  return authed(work).catch((e) => mount(root, h('p', { class: 'error', role: 'alert' }, views.say(e))));
}

// ---- session ------------------------------------------------------------------------------------
function setSession(pair, username) {
  state.session = pair ? { token: pair.access_token, refresh: pair.refresh_token, username,
    mustChange: Boolean(pair.password_change_required) } : null;
  writeJson(window.sessionStorage, SESSION, state.session);
  renderHeader();
}

/** Runs `work(token)`, refreshing the access token once when it expired. */
async function authed(work) {
  try {
    return await work(state.session.token);
  } catch (e) {
    if (e.code !== 'unauthenticated' || !state.session) throw e;
    try {
      const pair = await api.call('POST', '/m/v1/auth/refresh', { json: { refresh_token: state.session.refresh } });
      setSession(pair, state.session.username);
    } catch (_) {
      setSession(null);
      throw e;
    }
    return work(state.session.token);
  }
}

async function login(username, password) {
  try {
    setSession(await api.login(username, password), username);
  } catch (e) { return views.say(e); }
  const next = state.afterLogin || (state.mode === 'confidential' || !state.mode ? 'confidential' : null);
  if (state.session.mustChange) { state.afterLogin = next; return go('password'); }
  state.afterLogin = null;
  flush(true);
  if (next === 'confidential') { state.mode = 'confidential'; return go('report'); }
  return go(next || 'home');
}

/** 修改密码 (after an admin's reset): a fresh pair for this phone, then where the login was going. */
async function changePassword(current, next) {
  try {
    setSession(await api.changePassword(state.session.token, current, next), state.session.username);
  } catch (e) { return views.say(e); }
  const after = state.afterLogin;
  state.afterLogin = null;
  if (after === 'confidential') { state.mode = 'confidential'; return go('report'); }
  return go(after || 'home');
}

async function activate(code, password) {
  let username;
  try { ({ username } = await api.activate(code, password)); } catch (e) { return views.say(e); }
  return login(username, password);
}

async function logoutNow() {
  const s = state.session;
  setSession(null);
  if (s) api.logout(s.refresh).catch(() => {});
  go('home');
}

// ---- intake, mode, criteria -------------------------------------------------------------------------
async function enterCode(code, fromPoster = false) {
  const c = String(code || '').trim();
  if (!c) return t('mode_needs_code');
  try {
    const target = await api.resolveIntake(c);
    state.intake = { code: c, ...target };
    writeJson(window.sessionStorage, INTAKE, state.intake);
    if (target.area_id) state.draft.area_id = target.area_id;
    loadCriteria();
    if (!fromPoster) route();
    return '';
  } catch (e) { return views.say(e); }
}

async function loadCriteria() {
  if (!state.intake) return;
  try { state.criteria = await api.criteria(state.intake.sector); } catch (_) { state.criteria = []; }
}

function chooseMode(m) {
  state.mode = m;
  if (m === 'confidential' && !state.session) { state.afterLogin = 'confidential'; return go('login'); }
  return go('report');
}

// ---- the draft: kept in the outbox store until it is sent ---------------------------------------------
let draftTimer = null;
function saveDraft() {
  if (!state.hasQueue) return;
  clearTimeout(draftTimer);
  draftTimer = setTimeout(() => {
    const d = state.draft;
    queue.put({ key: DRAFT_KEY, state: 'draft', created_at: Date.now(), mode: state.mode, report: { title: d.title, description: d.description, area_id: d.area_id, level: d.level, criteria: d.criteria }, photos: d.photos.map((p) => p.blob) }).catch(() => {});
  }, 300);
}

async function restoreDraft() {
  if (!state.hasQueue) return;
  try {
    const saved = await queue.get(DRAFT_KEY);
    if (!saved) return;
    state.draft = { ...emptyDraft(), ...saved.report, photos: saved.photos.map((blob) => ({ blob, url: URL.createObjectURL(blob) })) };
    if (!state.mode && saved.mode) state.mode = saved.mode;
  } catch (_) { /* no draft */ }
}

function refreshLevel() {
  for (const v of ['general', 'major']) {
    const b = document.getElementById(`level-${v}`);
    if (b) b.setAttribute('aria-pressed', String(state.draft.level === v));
  }
  saveDraft();
}

async function addPhoto(file) {
  if (state.draft.photos.length >= MAX_PHOTOS) return t('photo_max');
  const note = document.getElementById('photo-count');
  if (note) note.textContent = t('photo_shrinking');
  try {
    const { blob } = await shrink(file);
    state.draft.photos.push({ blob, url: URL.createObjectURL(blob) });
  } catch (_) {
    route();
    return t('photo_bad');
  }
  saveDraft();
  route();
  return '';
}

function removePhoto(i) {
  const [p] = state.draft.photos.splice(i, 1);
  if (p) URL.revokeObjectURL(p.url);
  saveDraft();
  route();
}

async function openMarkup(i) {
  const p = state.draft.photos[i];
  if (!p) return;
  state.screen = 'markup';
  mount(root, views.markup(app, i));
  const canvas = document.getElementById('markup-canvas');
  editorImage = await createImageBitmap(p.blob);
  const maxW = Math.min(root.clientWidth || 360, 900);
  canvas.width = editorImage.width;
  canvas.height = editorImage.height;
  canvas.style.width = `${maxW}px`;
  canvas.style.height = `${Math.round((maxW * editorImage.height) / editorImage.width)}px`;
  editor = markup.editor(canvas, editorImage);
}

async function markupDone(i) {
  const p = state.draft.photos[i];
  if (p && editor && editor.ops.length) {
    const blob = await markup.burn(p.blob, editor.ops);
    URL.revokeObjectURL(p.url);
    state.draft.photos[i] = { blob, url: URL.createObjectURL(blob) };
    saveDraft();
  }
  editor = null;
  go('report');
  route();
}

// ---- sending --------------------------------------------------------------------------------------------
function validate() {
  const d = state.draft;
  if (!d.title.trim()) return t('title_needed');
  if (!d.description.trim()) return t('description_needed');
  if (!d.photos.length) return t('photo_needed');
  return '';
}

function progressUi(started) {
  return (sent, total) => {
    const bar = document.getElementById('progress');
    const text = document.getElementById('progress-text');
    if (!bar || !text) return;
    const pct = Math.floor((sent / total) * 100);
    bar.value = pct;
    const elapsed = (Date.now() - started) / 1000;
    const left = sent > 0 ? Math.ceil((elapsed * (total - sent)) / sent) : 0;
    text.textContent = sent >= total ? t('sending_done') : t('sending_eta', { pct, s: left });
  };
}

async function submit() {
  const problem = validate();
  if (problem) return problem;
  const d = state.draft;
  const report = { title: d.title.trim(), description: d.description.trim(), suspected_level: d.level };
  if (d.area_id) report.area_id = d.area_id;
  if (d.criteria.length) report.criterion_codes = d.criteria;
  if (state.mode === 'anonymous') report.intake_code = state.intake.code;
  const entry = { key: api.newKey(), mode: state.mode, report, photos: d.photos.map((p) => p.blob), created_at: Date.now(), attempts: 0, next_at: 0, state: 'pending' };
  if (state.hasQueue) {
    try { await queue.put(entry); } catch (_) { state.hasQueue = false; renderHeader(); }
  }
  const clearDraft = () => {
    for (const p of d.photos) URL.revokeObjectURL(p.url);
    state.draft = emptyDraft();
    if (state.intake && state.intake.area_id) state.draft.area_id = state.intake.area_id;
    if (state.hasQueue) queue.remove(DRAFT_KEY).catch(() => {});
  };
  mount(root, views.sending());
  const outcome = await sendEntry(entry, progressUi(Date.now()));
  if (outcome === 'sent') { clearDraft(); return ''; }
  if (outcome === 'queued' && state.hasQueue) {
    clearDraft();
    mount(root, h('section', { class: 'screen stack' }, h('p', { class: 'warning', id: 'queued', role: 'status' }, t('queued')),
      h('button', { type: 'button', class: 'big primary', onclick: () => go('home') }, t('back'))));
    return '';
  }
  // Refused (or no outbox to wait in): back to the form, which still holds every word and photo.
  if (state.hasQueue) await queue.remove(entry.key).catch(() => {});
  mount(root, views.reportForm(app));
  const msg = views.say(entry.lastError);
  const box = document.getElementById('form-error');
  if (box) box.textContent = msg;
  return msg;
}

/** One try of one outbox entry: 'sent' (receipt shown), 'queued' (will retry) or 'refused'. */
const inFlight = new Set();
async function sendEntry(entry, onProgress) {
  if (inFlight.has(entry.key)) return 'queued';
  inFlight.add(entry.key);
  try {
    return await sendOnce(entry, onProgress);
  } finally {
    inFlight.delete(entry.key);
  }
}

async function sendOnce(entry, onProgress) {
  try {
    const token = state.session ? state.session.token : undefined;
    const answer = await (entry.mode === 'confidential'
      ? authed((tok) => api.sendReport(entry, tok, onProgress))
      : api.sendReport(entry, token, onProgress));
    const done = { ...entry, photos: [], state: 'sent', receipt: answer };
    if (state.hasQueue) await queue.put(done);
    showReceipt(done);
    return 'sent';
  } catch (e) {
    entry.lastError = e;
    const again = e.retryable || (entry.mode === 'confidential' && e.code === 'unauthenticated');
    if (again) {
      entry.attempts += 1;
      entry.next_at = Date.now() + queue.backoff(entry.attempts);
      entry.state = 'pending';
    } else {
      entry.state = 'failed';
      entry.error = e.code;
    }
    if (state.hasQueue) {
      const { lastError, ...kept } = entry;
      await queue.put(kept).catch(() => {});
    }
    await countWaiting();
    schedule();
    return again ? 'queued' : 'refused';
  }
}

/** Sends what waits in the outbox (due ones, or all of them when `now`), then shows receipts. */
async function flush(now = false) {
  if (!state.hasQueue || flushing) return;
  flushing = true;
  try {
    const entries = await queue.all();
    for (const e of entries) {
      if (e.state === 'sent') { showReceipt(e); continue; }
      if (e.state !== 'pending') continue;
      if (e.mode === 'confidential' && !state.session) continue;
      if (!now && e.next_at > Date.now()) continue;
      if (!navigator.onLine && !now) continue;
      await sendEntry(e);
    }
  } catch (_) { /* the outbox is read again on the next trigger */ } finally {
    flushing = false;
    await countWaiting();
    schedule();
  }
}

function schedule() {
  clearTimeout(timer);
  if (!state.hasQueue) return;
  queue.waiting().then((ws) => {
    const due = ws.filter((e) => e.state === 'pending').map((e) => e.next_at);
    if (!due.length) return;
    const wait = Math.max(1000, Math.min(...due) - Date.now());
    timer = setTimeout(() => flush(false), wait);
  }).catch(() => {});
}

const receiptsToShow = [];
function showReceipt(entry) {
  if (receiptsToShow.some((e) => e.key === entry.key)) return;
  receiptsToShow.push(entry);
  if (!showingReceipt) nextReceipt();
}
function nextReceipt() {
  const e = receiptsToShow[0];
  if (!e) { showingReceipt = false; route(); return; }
  showingReceipt = true;
  mount(root, views.receipt(app, e));
  window.scrollTo(0, 0);
}
async function dismissReceipt(entry) {
  receiptsToShow.shift();
  if (state.hasQueue) await queue.remove(entry.key).catch(() => {});
  const img = document.querySelector('#receipt-picture img');
  if (img) URL.revokeObjectURL(img.src);
  if (!receiptsToShow.length) {
    showingReceipt = false;
    if (window.location.hash !== '#' && window.location.hash !== '') { window.location.hash = ''; return; }
  }
  nextReceipt();
}

async function receiptPicture(code) {
  const blob = await receipt.picture(code, t('receipt_picture_title'), t('receipt_picture_note'));
  return URL.createObjectURL(blob);
}

/** 保存举报凭证: object URLs of the proof as a file and as a picture (the picture needs the
 * server to draw the QR code; without a network the file alone is offered). */
async function saveProof(doc) {
  const fileUrl = URL.createObjectURL(proof.file(doc));
  let pictureUrl = null;
  try {
    const qr = await api.proofQr(doc);
    const at = when(doc.at);
    const kind = t(`proof_kind_${String(doc.kind).replace('.', '_')}`);
    const png = await proof.picture(qr, t('proof_picture_title'), [
      `${doc.enterprise ? doc.enterprise.name : ''}`,
      `${kind} · ${at}`,
      t('proof_picture_report', { id: String(doc.report_id).slice(0, 8) }),
      t('proof_picture_check', { url: `${window.location.origin}/proof/` }),
    ]);
    pictureUrl = URL.createObjectURL(png);
  } catch (_) { pictureUrl = null; }
  return { fileUrl, fileName: proof.fileName(doc, t('proof_file_prefix')), pictureUrl };
}

async function deletePending(key) {
  await queue.remove(key).catch(() => {});
  await countWaiting();
  route();
}

// ---- follow-up ------------------------------------------------------------------------------------------
async function lookUp(code) {
  const c = String(code || '').trim();
  if (!c) return views.say({ code: 'not_found' });
  try {
    const f = await api.byReceipt(c);
    mount(root, views.followup(app, f, { code: c }));
    return '';
  } catch (e) { return views.say(e); }
}

async function openMine(id) {
  try {
    const f = await authed((token) => api.mineOne(token, id));
    mount(root, views.followup(app, f, { id, token: state.session.token }));
  } catch (e) { mount(root, h('p', { class: 'error', role: 'alert' }, views.say(e))); }
}

async function followupAction(who, action, value) {
  try {
    await api.followupActions(who)[action](value);
  } catch (e) { return views.say(e); }
  // Show the new state of the report.
  if ('code' in who) lookUp(who.code); else openMine(who.id);
  return '';
}

function loadEvidence(who, evidence, box) {
  const acts = api.followupActions(who);
  for (const e of evidence) {
    for (const id of e.photo_ids) {
      acts.photo(id).then((blob) => {
        box.append(h('img', { src: URL.createObjectURL(blob), alt: t('evidence'), class: 'evidence' }));
      }).catch(() => {});
    }
  }
}

const app = {
  state,
  go,
  login,
  changePassword,
  activate,
  enterCode,
  chooseMode,
  saveDraft,
  refreshLevel,
  addPhoto,
  removePhoto,
  markup: openMarkup,
  markupTool: (name) => editor && editor.setTool(name),
  markupUndo: () => editor && editor.undo(),
  markupDone,
  submit,
  flush,
  deletePending,
  dismissReceipt,
  copyReceipt: (code) => receipt.copy(receipt.grouped(code)),
  receiptPicture,
  saveProof,
  lookUp,
  openMine,
  followupAction,
  loadEvidence,
};

// ---- start ----------------------------------------------------------------------------------------------
window.addEventListener('hashchange', route);
window.addEventListener('online', () => flush(true));
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flush(true); });
renderHeader();
if (state.intake) loadCriteria();
restoreDraft().then(() => { route(); flush(true); countWaiting(); });
