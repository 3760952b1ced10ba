/**
 * `make generate`: writes every generated file (./targets.ts) and says which ones changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GENERATED_FILES, PROJECT_ROOT } from './targets.js';

for (const target of GENERATED_FILES) {
  const file = path.join(PROJECT_ROOT, target.file);
  const text = await target.generate();
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (before === text) {
    console.log(`generate: ${target.file} is up to date`);
    continue;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`generate: wrote ${target.file} (from ${target.source})`);
}
