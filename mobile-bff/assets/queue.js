// The outbox: every report is written here (fields and shrunk photos as Blobs, with its
// Idempotency-Key) before the first try to send it, and stays until the server has answered
// 201 and the worker has seen the receipt. Nothing the worker wrote is lost by closing the page.

const DB = 'qingling';
const STORE = 'outbox';

/** Whether this browser can keep reports (IndexedDB). */
export function available() {
  try { return typeof window.indexedDB !== 'undefined' && window.indexedDB !== null; } catch (_) { return false; }
}

let opening = null;
function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = window.indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

async function tx(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const store = t.objectStore(STORE);
    let result;
    const req = work(store);
    if (req) req.onsuccess = () => { result = req.result; };
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

/** Saves (or replaces) an entry: `{key, mode, report, photos, created_at, attempts, next_at, state}`. */
export const put = (entry) => tx('readwrite', (s) => s.put(entry));
/** One entry by key. */
export const get = (key) => tx('readonly', (s) => s.get(key));
/** Removes an entry. */
export const remove = (key) => tx('readwrite', (s) => s.delete(key));
/** Every entry, oldest first. */
export async function all() {
  const rows = (await tx('readonly', (s) => s.getAll())) || [];
  return rows.sort((a, b) => a.created_at - b.created_at);
}
/** Entries still waiting to be sent (`pending` or `failed`), as the 待发送 N 条 count shows them. */
export async function waiting() {
  return (await all()).filter((e) => e.state === 'pending' || e.state === 'failed');
}

/** The back-off before try number `attempts` (1-based): 5 s, 10 s, 20 s … at most 5 minutes. */
export function backoff(attempts) {
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 300000);
}
