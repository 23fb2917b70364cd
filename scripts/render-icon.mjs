// The Marketplace icon must be a PNG (128x128 or larger); the drawing is kept as SVG (media/icon.svg)
// and rendered here at build time, so the PNG never drifts from its source and no binary is committed.
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ICON_SIZE = 256;

/** Renders `svgFile` to a square PNG `pngFile` of ICON_SIZE pixels. */
export function renderIcon(svgFile, pngFile) {
  const rendered = new Resvg(readFileSync(svgFile, 'utf8'), { fitTo: { mode: 'width', value: ICON_SIZE } }).render();
  mkdirSync(path.dirname(pngFile), { recursive: true });
  writeFileSync(pngFile, rendered.asPng());
}
