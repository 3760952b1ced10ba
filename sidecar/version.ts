/** The sidecar's version, from package.json (reported to the addon and in /metrics). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): string {
  // Works from sidecar/ (tsx) and from dist/sidecar/ (compiled).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('package.json not found');
}

export const SIDECAR_VERSION: string = (JSON.parse(fs.readFileSync(findPackageJson(), 'utf8')) as { version: string }).version;
