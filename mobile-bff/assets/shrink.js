// Shrinks a photo on the phone before it travels over one bar of signal: decoded upright (the
// browser applies the EXIF orientation), drawn on a canvas whose long edge is at most 2048 px
// and whose area never passes 16 megapixels (iOS refuses larger canvases), and re-encoded as a
// JPEG — which also drops every EXIF field, GPS included. The server still sanitises everything.

export const MAX_EDGE = 2048;
export const MAX_PIXELS = 16 * 1024 * 1024;
export const QUALITY = 0.8;

/** The canvas size for a `w`×`h` picture: aspect kept, long edge ≤ maxEdge, area ≤ maxPixels. */
export function targetSize(w, h, maxEdge = MAX_EDGE, maxPixels = MAX_PIXELS) {
  if (!(w > 0 && h > 0)) throw new Error('empty picture');
  let scale = Math.min(1, maxEdge / Math.max(w, h));
  if (w * h * scale * scale > maxPixels) scale = Math.sqrt(maxPixels / (w * h));
  let tw = Math.max(1, Math.floor(w * scale));
  let th = Math.max(1, Math.floor(h * scale));
  while (tw * th > maxPixels) { tw -= 1; th = Math.max(1, Math.floor((tw * h) / w)); }
  return { width: tw, height: th };
}

async function decode(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (_) { /* fall back to an <img> */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Encodes a canvas as a JPEG Blob. */
export function toJpeg(canvas, quality = QUALITY) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality);
  });
}

/** Draws `source` (a bitmap, image or canvas) onto a new canvas of the target size. */
export function drawScaled(source, width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** A File (from the camera or album) → `{blob, width, height}`: a shrunk JPEG without EXIF. */
export async function shrink(file, opts = {}) {
  const bitmap = await decode(file);
  const w = bitmap.naturalWidth || bitmap.width;
  const h = bitmap.naturalHeight || bitmap.height;
  const size = targetSize(w, h, opts.maxEdge ?? MAX_EDGE, opts.maxPixels ?? MAX_PIXELS);
  const canvas = drawScaled(bitmap, size.width, size.height);
  if (typeof bitmap.close === 'function') bitmap.close();
  const blob = await toJpeg(canvas, opts.quality ?? QUALITY);
  canvas.width = 0; // free the pixels at once (older iOS keeps canvases alive)
  canvas.height = 0;
  return { blob, width: size.width, height: size.height };
}
