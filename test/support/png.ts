// Chromium's screenshots, read with pngjs: pixels by position.
import { PNG } from 'pngjs';

export interface Image {
  width: number;
  height: number;
  /** [r, g, b] of the pixel at x, y. */
  rgb(x: number, y: number): [number, number, number];
}

export function decodePng(file: Buffer): Image {
  const png = PNG.sync.read(file);
  return {
    width: png.width,
    height: png.height,
    rgb: (x, y) => {
      const i = (y * png.width + x) * 4; // pngjs gives RGBA, 8 bits per channel
      return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    },
  };
}
