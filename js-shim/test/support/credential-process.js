// A credential_process for the tests: `node credential-process.js <spec.json> [ignored args]`.
// The spec says what to do: { "stdout": text to print, "exit": status, "sleepMs": delay first,
// "countFile": a file that gets one line per run }. Its arguments are never run by a shell.
import { appendFileSync, readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
if (spec.countFile) appendFileSync(spec.countFile, `${process.argv.slice(3).join(' ')}\n`);
setTimeout(() => {
  process.stdout.write(spec.stdout ?? '');
  process.exitCode = spec.exit ?? 0;
}, spec.sleepMs ?? 0);
