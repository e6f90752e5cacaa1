/** (c) Icon sizes and the outline icon's transparency, read by decoding the PNG files. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodePng, encodePng, renderColorIcon, renderOutlineIcon } from '../../scripts/package-app';
import { ROOT } from './helpers';

const read = (name: string) => readFileSync(path.join(ROOT, 'appPackage', name));

function alphaAt(img: { width: number; data: Uint8Array }, x: number, y: number): number {
  return img.data[(y * img.width + x) * 4 + 3];
}

describe('app icons', () => {
  it('color.png is 192x192 RGBA, opaque and not blank', () => {
    const img = decodePng(read('color.png'));
    expect([img.width, img.height, img.bitDepth, img.colorType]).toEqual([192, 192, 8, 6]);
    const colours = new Set<string>();
    for (let i = 0; i < img.data.length; i += 4) {
      expect(img.data[i + 3]).toBe(255);
      colours.add(`${img.data[i]},${img.data[i + 1]},${img.data[i + 2]}`);
    }
    expect(colours.size).toBeGreaterThan(2); // background, white mark, anti-aliased edges
  });

  it('outline.png is 32x32, white only, on a transparent background', () => {
    const img = decodePng(read('outline.png'));
    expect([img.width, img.height, img.colorType]).toEqual([32, 32, 6]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const a = img.data[i + 3];
      if (a === 0) transparent++;
      else {
        expect([img.data[i], img.data[i + 1], img.data[i + 2]]).toEqual([255, 255, 255]);
        if (a === 255) opaque++;
      }
    }
    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [0, 31],
      [31, 31],
    ])
      expect(alphaAt(img, x, y)).toBe(0);
    expect(opaque / 1024).toBeGreaterThan(0.25);
    expect(transparent / 1024).toBeGreaterThan(0.25);
  });

  it('the committed icons are exactly what scripts/package-app.ts --icons draws', () => {
    expect(read('color.png').equals(encodePng(renderColorIcon()))).toBe(true);
    expect(read('outline.png').equals(encodePng(renderOutlineIcon()))).toBe(true);
  });

  it('the decoder rejects a corrupted file', () => {
    const bad = Buffer.from(read('outline.png'));
    bad[20] ^= 0xff; // inside IHDR: CRC no longer matches
    expect(() => decodePng(bad)).toThrow(/CRC/);
  });
});
