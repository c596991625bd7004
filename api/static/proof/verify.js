// Verifies Qingling proofs of report in the browser, with no network: the canonical bytes are
// RFC 8785 JSON of the proof without `signature`, signed with Ed25519 (README, "Proof of
// report"). WebCrypto does the work where it can; otherwise the vendored @noble verifier does.
import * as noble from './vendor/noble-ed25519/index.js';
import { sha256 as nobleSha256, sha512 } from './vendor/noble-hashes/sha2.js';

noble.hashes.sha512 = sha512;

const KINDS = ['report.submitted', 'report.accepted', 'hazard.plan_deadline', 'hazard.closed', 'report.escalated'];

/** RFC 8785 canonical JSON (proofs hold only strings, integers, booleans, null, arrays, objects). */
export function canonical(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('fractional number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  // Default sort compares UTF-16 code units, as RFC 8785 asks.
  const keys = Object.keys(value).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
}

export function signingInput(doc) {
  const copy = { ...doc };
  delete copy.signature;
  return new TextEncoder().encode(canonical(copy));
}

function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

let forced = null;
/** For tests: 'noble' forces the vendored verifier. */
export function forceEngine(name) { forced = name; }

async function webcryptoVerify(pub, msg, sig) {
  if (forced === 'noble' || !globalThis.crypto || !crypto.subtle) return null;
  try {
    const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
  } catch (e) {
    return null; // no Ed25519 in this browser's WebCrypto
  }
}

/** Which engine verified the last signature: 'webcrypto' or 'noble'. */
export let lastEngine = null;

async function verifySignature(pub, msg, sig) {
  const web = await webcryptoVerify(pub, msg, sig);
  if (web !== null) { lastEngine = 'webcrypto'; return web; }
  lastEngine = 'noble';
  try {
    return noble.verify(sig, msg, pub, { zip215: false });
  } catch (e) {
    return false;
  }
}

export async function sha256Hex(bytes) {
  if (forced !== 'noble' && globalThis.crypto && crypto.subtle) {
    try { return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))); } catch (e) { /* fall through */ }
  }
  return hex(nobleSha256(new Uint8Array(bytes)));
}

// RFC 3339 with microseconds: cut to the milliseconds Date understands.
function parseTime(s) {
  return Date.parse(String(s).replace(/(\.\d{3})\d+/, '$1'));
}

function fail(reason) { return { ok: false, reason }; }

/** Checks one proof; returns {ok, reason?, doc}. */
export async function verifyOne(doc, keys) {
  if (!doc || typeof doc !== 'object' || doc.qingling_proof !== 1) return fail('format');
  if (!KINDS.includes(doc.kind)) return fail('format');
  if (typeof doc.signature !== 'string' || typeof doc.key_id !== 'string' || typeof doc.at !== 'string') return fail('format');
  const key = keys.find((k) => k.key_id === doc.key_id);
  if (!key) return fail('unknown_key');
  const at = parseTime(doc.at);
  if (Number.isNaN(at)) return fail('format');
  // Proof times carry microseconds; compare as text-parsed milliseconds with the validity.
  if (at < parseTime(key.valid_from) - 1 || (key.valid_until && at > parseTime(key.valid_until) + 1)) return fail('validity');
  let sig, pub;
  try { sig = b64(doc.signature); pub = b64(key.public_key); } catch (e) { return fail('format'); }
  if (sig.length !== 64 || pub.length !== 32) return fail('format');
  let msg;
  try { msg = signingInput(doc); } catch (e) { return fail('format'); }
  const ok = await verifySignature(pub, msg, sig);
  return ok ? { ok: true } : fail('signature');
}

/** Checks a file: one proof or a report's list of proofs, later ones chained to the first. */
export async function verifyBundle(content, keys) {
  const docs = Array.isArray(content) ? content : [content];
  if (docs.length === 0) return { ok: false, results: [], chain: 'empty' };
  const results = [];
  for (const d of docs) results.push({ doc: d, ...(await verifyOne(d, keys)) });
  let chain = 'none';
  const first = docs.find((d) => d && d.kind === 'report.submitted');
  if (first && docs.length > 1) {
    const link = await sha256Hex(b64(first.signature));
    chain = docs.every((d) => d === first || (d.first_proof_sha256 === link && d.report_id === first.report_id)) ? 'ok' : 'broken';
  }
  return { ok: results.every((r) => r.ok) && chain !== 'broken', results, chain };
}

/** Whether a photo's bytes are one of the proof's photos (as uploaded or as stored). */
export async function photoMatches(content, bytes) {
  const h = await sha256Hex(bytes);
  const docs = Array.isArray(content) ? content : [content];
  return docs.some((d) => Array.isArray(d.photos) && d.photos.some((p) => p.uploaded_sha256 === h || p.stored_sha256 === h));
}
