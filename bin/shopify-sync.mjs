#!/usr/bin/env node
// The operator CLI (docs/operations.md "Operator CLI"): runs sidecar/cli/main.ts under tsx in a
// child Node process, forwarding arguments, stdio, the exit code and termination signals.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'sidecar/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  // tsx is resolved from the repository (the CLI takes no file paths, so the cwd does not matter).
  cwd: root,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
