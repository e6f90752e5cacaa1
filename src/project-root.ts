import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project root: the nearest folder above `from` with a package.json. Works wherever the
 * module runs from: src/ under tsx, dist/src/ after `npm run build`, dist/start/ under `npm start`
 * (scripts/start.mjs), so files beside package.json are found without counting `..`s.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}
