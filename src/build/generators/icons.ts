/**
 * The app icons Splunk shows in the launcher and app bar: appIcon (36×36), appIcon_2x (72×72)
 * and the Alt pair for dark backgrounds. Drawn from geometry so they are reproducible.
 */
import { encodePng } from '../png';
import type { Generator } from './types';

type Rgb = readonly [number, number, number];

const TEAL: Rgb = [0x0b, 0x5e, 0x73];
const WHITE: Rgb = [0xff, 0xff, 0xff];

/** Inside the rounded square that frames the icon (unit coordinates). */
function inFrame(x: number, y: number): boolean {
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return x >= 0 && x <= 1 && y >= 0 && y <= 1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** A "Z" (zero trust) with a gap-free diagonal. */
function inGlyph(x: number, y: number): boolean {
  const left = 0.24;
  const right = 0.76;
  if (x < left || x > right) return false;
  if (y >= 0.2 && y <= 0.33) return true;
  if (y >= 0.67 && y <= 0.8) return true;
  // Diagonal from the top bar's right end to the bottom bar's left end.
  const t = (y - 0.33) / (0.67 - 0.33);
  if (t < 0 || t > 1) return false;
  const centre = right - 0.07 - t * (right - left - 0.14);
  return Math.abs(x - centre) <= 0.085;
}

/** 4×4 supersampling gives anti-aliased edges without a rasteriser. */
export function drawIcon(size: number, frame: Rgb, glyph: Rgb): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let pxl = 0; pxl < size; pxl++) {
      let cover = 0;
      let glyphCover = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (pxl + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          if (!inFrame(x, y)) continue;
          cover++;
          if (inGlyph(x, y)) glyphCover++;
        }
      }
      const i = (py * size + pxl) * 4;
      const g = cover ? glyphCover / cover : 0;
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(frame[c] * (1 - g) + glyph[c] * g);
      px[i + 3] = Math.round((255 * cover) / (n * n));
    }
  }
  return px;
}

export const iconsGenerator: Generator = {
  name: 'icons',
  generate: () => ({
    'appserver/static/appIcon.png': encodePng(36, 36, drawIcon(36, TEAL, WHITE)),
    'appserver/static/appIcon_2x.png': encodePng(72, 72, drawIcon(72, TEAL, WHITE)),
    'appserver/static/appIconAlt.png': encodePng(36, 36, drawIcon(36, WHITE, TEAL)),
    'appserver/static/appIconAlt_2x.png': encodePng(72, 72, drawIcon(72, WHITE, TEAL)),
  }),
};
