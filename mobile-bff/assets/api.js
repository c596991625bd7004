// The API client: every call to /m/v1 goes through `call`, an XMLHttpRequest (upload progress,
// and the same code path in WeChat's WebViews). A problem answer becomes an ApiError carrying
// the server's stable `code`; a network failure is `code: 'network'`.

/** An answer that was not a success. `retryable` says whether sending again may succeed. */
export class ApiError extends Error {
  constructor(status, code, body) {
    super(code);
    this.status = status;
    this.code = code;
    this.body = body;
  }

  get retryable() {
    return this.code === 'network' || this.status >= 500 || this.status === 429
      || this.status === 408 || this.code === 'idempotency_in_progress';
  }
}

/** A fresh Idempotency-Key (made once, when the report is created on the phone). */
export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * One request. `opts`: `json` (a body), `form` (FormData), `token`, `headers`, `onProgress(sent,
 * total)`, `as: 'json' | 'blob'`, `timeout` (ms). Resolves with the parsed body; rejects with
 * an ApiError.
 */
export function call(method, path, opts = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path, true);
    xhr.responseType = opts.as === 'blob' ? 'blob' : 'text';
    xhr.timeout = opts.timeout ?? 120000;
    xhr.setRequestHeader('Accept-Language', document.documentElement.lang || 'zh-CN');
    if (opts.token) xhr.setRequestHeader('Authorization', `Bearer ${opts.token}`);
    for (const [k, v] of Object.entries(opts.headers || {})) xhr.setRequestHeader(k, v);
    let body = null;
    if (opts.form) {
      body = opts.form;
    } else if (opts.json !== undefined) {
      xhr.setRequestHeader('Content-Type', 'application/json');
      body = JSON.stringify(opts.json);
    }
    if (opts.onProgress && xhr.upload) {
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) opts.onProgress(e.loaded, e.total); };
    }
    const fail = () => reject(new ApiError(0, 'network', null));
    xhr.onerror = fail;
    xhr.ontimeout = fail;
    xhr.onabort = fail;
    xhr.onload = () => {
      const ok = xhr.status >= 200 && xhr.status < 300;
      if (ok && opts.as === 'blob') { resolve(xhr.response); return; }
      const read = (text) => {
        if (!text) return null;
        try { return JSON.parse(text); } catch (_) { return null; }
      };
      if (ok) { resolve(read(xhr.responseText)); return; }
      const finish = (parsed) => {
        const code = parsed && typeof parsed.code === 'string' ? parsed.code
          : (xhr.status >= 500 ? 'internal_error' : 'unknown');
        reject(new ApiError(xhr.status, code, parsed));
      };
      if (opts.as === 'blob' && xhr.response) {
        xhr.response.text().then((t) => finish(read(t)), () => finish(null));
      } else {
        finish(read(xhr.responseText));
      }
    };
    xhr.send(body);
  });
}

/**
 * Sends a report: `entry` as the queue keeps it ({key, mode, report, photos: [Blob]}). The
 * same key on every try, so the server creates it once and answers a retry with the first answer.
 */
export function sendReport(entry, token, onProgress) {
  const form = new FormData();
  form.append('report', new Blob([JSON.stringify(entry.report)], { type: 'application/json' }), 'report.json');
  entry.photos.forEach((p, i) => form.append('photo', p, `photo-${i + 1}.jpg`));
  const path = entry.mode === 'confidential' ? '/m/v1/reports' : '/m/v1/anonymous-reports';
  return call('POST', path, {
    form,
    token: entry.mode === 'confidential' ? token : undefined,
    headers: { 'Idempotency-Key': entry.key },
    onProgress,
    timeout: 600000,
  });
}

export const resolveIntake = (code) => call('POST', '/m/v1/intake', { json: { code } });
export const criteria = (sector) => call('GET', `/m/v1/criteria?sector=${encodeURIComponent(sector)}`);
export const login = (username, password) => call('POST', '/m/v1/auth/login', { json: { username, password } });
export const changePassword = (token, current, next) => call('POST', '/m/v1/auth/password', { token, json: { current_password: current, new_password: next } });
export const logout = (refresh) => call('POST', '/m/v1/auth/logout', { json: { refresh_token: refresh } });
export const activate = (code, password) => call('POST', '/m/v1/activate', { json: { activation_code: code, password } });
export const byReceipt = (code) => call('POST', '/m/v1/receipt', { json: { receipt_code: code } });
export const mine = (token) => call('GET', '/m/v1/reports?limit=50', { token });
export const mineOne = (token, id) => call('GET', `/m/v1/reports/${encodeURIComponent(id)}`, { token });
export const proofQr = (doc) => call('POST', '/m/v1/proof/qr', { json: doc, as: 'blob' });
export const board = (token) => call('GET', '/m/v1/hazards?limit=50', { token });

/** The follow-up actions, by receipt code (in the body) or logged in (by report id). */
export function followupActions(who) {
  const byCode = 'code' in who;
  const id = byCode ? null : encodeURIComponent(who.id);
  const post = (receiptPath, minePath, body) => (byCode
    ? call('POST', receiptPath, { json: { receipt_code: who.code, ...body } })
    : call('POST', minePath, { json: body, token: who.token }));
  return {
    message: (text) => post('/m/v1/receipt/messages', `/m/v1/reports/${id}/messages`, { body: text }),
    messageBureau: (text) => post('/m/v1/receipt/bureau-messages', `/m/v1/reports/${id}/bureau-messages`, { body: text }),
    appeal: (reason) => post('/m/v1/receipt/appeal', `/m/v1/reports/${id}/appeal`, { reason }),
    claim: (payout) => call('POST', '/m/v1/receipt/reward-claim', { json: { receipt_code: who.code, payout } }),
    photo: (photoId) => (byCode
      ? call('POST', `/m/v1/receipt/photos/${encodeURIComponent(photoId)}?size=thumb`, { json: { receipt_code: who.code }, as: 'blob' })
      : call('GET', `/m/v1/reports/${id}/photos/${encodeURIComponent(photoId)}?size=thumb`, { token: who.token, as: 'blob' })),
  };
}
