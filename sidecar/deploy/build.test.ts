/**
 * What ships is the sidecar alone: tsconfig.build.json compiles sidecar/ without its tests, and
 * nothing it imports may come from dev/ (simulator, Odoo double, conformance driver, stack, demo,
 * fakes). The Dockerfile builds with that config from a context that holds no dev/ folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** The project's own files in the build (tsc --listFilesOnly), relative to the root. */
function buildFiles(): string[] {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((file) => path.relative(root, file))
    .filter((file) => !file.startsWith('node_modules') && !file.startsWith('..'))
    .sort();
}

describe('the build (what the Docker image contains)', () => {
  it('compiles only shipped sidecar code: no test, simulator, double, demo or fake', function () {
    this.timeout(120_000);
    const files = buildFiles();
    assert.ok(
      files.includes('sidecar/main.ts') && files.includes('sidecar/app.ts'),
      `main.ts and app.ts missing from ${files.length} files`,
    );
    assert.ok(files.length > 50, `suspiciously few files: ${files.length}`);
    assert.deepEqual(
      files.filter((f) => !f.startsWith('sidecar/')),
      [],
      'files outside sidecar/ (development-only code imported by shipped code?)',
    );
    assert.deepEqual(
      files.filter((f) => /\.test\.ts$|[/.](sim|double|fake|demo|stack|fixture)s?[/.]/.test(f)),
      [],
    );
  });

  it('the Dockerfile builds with tsconfig.build.json from a context without dev/', () => {
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /tsc -p tsconfig\.build\.json/);
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    assert.deepEqual(
      copied.filter(
        (src) =>
          !['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'sidecar', '--chown=root:root'].includes(src),
      ),
      [],
    );
    const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    assert.ok(ignored.includes('dev'), '.dockerignore leaves dev/ in the build context');
  });
});
