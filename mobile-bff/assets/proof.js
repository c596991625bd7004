// 保存举报凭证: a proof of report kept by the worker, as the file the server signed (byte for
// byte what `qingling proof verify` and /proof/ read) and as a picture for the photo album —
// the QR code of the same document (drawn by the server, which draws only proofs that verify)
// with a few lines a person can read. Nothing in a proof names the reporter.

import { card, png } from './receipt.js';

/** The proof exactly as the server issued it, as a file. */
export function file(doc) {
  return new Blob([JSON.stringify(doc)], { type: 'application/json' });
}

/** A file name that says what it is and which report: `举报凭证-1a2b3c4d.json`. */
export function fileName(doc, prefix) {
  return `${prefix}-${String(doc.report_id || '').slice(0, 8)}.json`;
}

function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(blob);
    img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error('qr image')); };
    img.src = url;
  });
}

/**
 * The picture: a heading, the QR code of the whole proof, and `lines` (enterprise, time, what it
 * proves, how to check it) under it. Resolves with a PNG Blob.
 */
export async function picture(qrBlob, title, lines) {
  const qr = await loadImage(qrBlob);
  const w = 1080;
  const side = w - 96;
  const h = 140 + side + 48 + lines.length * 56 + 24;
  const { canvas, ctx } = card(title, w, h);
  // Module edges stay sharp when the code is scaled up.
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(qr, 48, 140, side, side);
  ctx.fillStyle = '#000000';
  ctx.font = '36px sans-serif';
  lines.forEach((line, i) => {
    let text = line;
    while (ctx.measureText(text).width > w - 96 && text.length > 4) text = `${text.slice(0, -2)}…`;
    ctx.fillText(text, 48, 140 + side + 48 + i * 56);
  });
  return png(canvas);
}
