// Marking a photo up before it is sent: circles and arrows to show the hazard, and black-out
// strokes (a finger's width) over faces, name badges and work numbers on helmets. Strokes are
// kept in picture coordinates (0..1), drawn on screen at any size and burnt into the pixels of
// the photo that is sent — the blacked-out pixels never leave the phone.

export const TOOLS = ['circle', 'arrow', 'black'];
const RED = '#e00000';

/** Width of a stroke of `tool` on a `w`×`h` picture, in pixels. */
export function strokeWidth(tool, w, h) {
  const short = Math.min(w, h);
  return tool === 'black' ? Math.max(12, short * 0.08) : Math.max(4, short * 0.012);
}

/** Draws one operation on a 2D context of a `w`×`h` picture. */
export function drawOp(ctx, op, w, h) {
  const pts = op.points.map(([x, y]) => [x * w, y * h]);
  if (pts.length === 0) return;
  ctx.save();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = strokeWidth(op.tool, w, h);
  if (op.tool === 'black') {
    ctx.strokeStyle = '#000';
    ctx.fillStyle = '#000';
    if (pts.length === 1) {
      ctx.beginPath();
      ctx.arc(pts[0][0], pts[0][1], ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
    } else {
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  } else {
    const [x0, y0] = pts[0];
    const [x1, y1] = pts[pts.length - 1];
    ctx.strokeStyle = RED;
    ctx.beginPath();
    if (op.tool === 'circle') {
      const rx = Math.abs(x1 - x0) / 2;
      const ry = Math.abs(y1 - y0) / 2;
      ctx.ellipse((x0 + x1) / 2, (y0 + y1) / 2, Math.max(rx, 1), Math.max(ry, 1), 0, 0, Math.PI * 2);
    } else {
      const angle = Math.atan2(y1 - y0, x1 - x0);
      const head = ctx.lineWidth * 5;
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(angle - 0.5), y1 - head * Math.sin(angle - 0.5));
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(angle + 0.5), y1 - head * Math.sin(angle + 0.5));
    }
    ctx.stroke();
  }
  ctx.restore();
}

/** Draws the picture and every operation on `canvas` (sized to the picture's aspect). */
export function render(canvas, image, ops) {
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  for (const op of ops) drawOp(ctx, op, canvas.width, canvas.height);
}

/** Burns the operations into the photo: a new JPEG Blob at the photo's own size. */
export async function burn(blob, ops, quality = 0.85) {
  const image = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  render(canvas, image, ops);
  image.close();
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality);
  });
}

/**
 * An editor on `canvas` showing `image`: the finger draws with the current tool. Returns
 * `{setTool, undo, ops}`; `onChange` is told after each stroke.
 */
export function editor(canvas, image, onChange = () => {}) {
  const ops = [];
  let tool = 'circle';
  let live = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)),
      Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  };
  const redraw = () => render(canvas, image, live ? [...ops, live] : ops);
  canvas.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    canvas.setPointerCapture?.(e.pointerId);
    live = { tool, points: [at(e)] };
    redraw();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!live) return;
    e.preventDefault();
    if (live.tool === 'black') live.points.push(at(e));
    else live.points = [live.points[0], at(e)];
    redraw();
  });
  const end = (e) => {
    if (!live) return;
    e.preventDefault();
    ops.push(live);
    live = null;
    redraw();
    onChange(ops);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  redraw();
  return {
    ops,
    setTool(t) { if (TOOLS.includes(t)) tool = t; },
    undo() { ops.pop(); redraw(); onChange(ops); },
  };
}
