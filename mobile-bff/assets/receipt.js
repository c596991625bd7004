// The receipt code: grouped for reading aloud and typing, copied to the clipboard, and drawn
// on a canvas as a PNG the worker keeps in the photo album. It is never put in a URL, in
// localStorage or in the page title.

/** `ABCD EFGH …`: groups of four, as the server accepts it back (spaces and case ignored). */
export function grouped(code) {
  return String(code).replace(/[\s-]/g, '').toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** Copies text; resolves true when it worked. */
export async function copy(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_) { /* fall back below */ }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
  area.remove();
  return ok;
}

/**
 * A white canvas of `w` × `h` with the blue title band both saved pictures share (the receipt
 * and the proof of report), for the caller to draw the rest on.
 */
export function card(title, w, h) {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#0b3d91';
  ctx.fillRect(0, 0, w, 120);
  ctx.fillStyle = '#ffffff';
  ctx.font = 'bold 52px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 48, 60);
  return { canvas, ctx };
}

/** The canvas as a PNG Blob. */
export function png(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/png');
  });
}

/** Draws the receipt picture: a PNG Blob with the title, the code in large type and a note. */
export function picture(code, title, note) {
  const w = 1080;
  const { canvas, ctx } = card(title, w, 720);
  ctx.fillStyle = '#000000';
  const text = grouped(code);
  let size = 96;
  ctx.font = `bold ${size}px monospace`;
  while (ctx.measureText(text).width > w - 96 && size > 40) {
    size -= 4;
    ctx.font = `bold ${size}px monospace`;
  }
  ctx.fillText(text, 48, 340);
  ctx.font = '40px sans-serif';
  ctx.fillStyle = '#222222';
  ctx.fillText(note, 48, 560);
  return png(canvas);
}
