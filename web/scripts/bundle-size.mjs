// Prints the initial JavaScript of the built app, gzipped: the scripts and module preloads that
// index.html loads before the first page can render. Fails the build above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET_BYTES = 200 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map(
  (m) => m[1],
);
let total = 0;
for (const file of scripts) {
  const gz = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += gz;
  console.log(`  ${file}: ${(gz / 1024).toFixed(1)} KB gzipped`);
}
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
if (scripts.length === 0) {
  console.error('no script found in dist/index.html');
  process.exit(1);
}
if (total > BUDGET_BYTES) {
  console.error('initial JS is over budget');
  process.exit(1);
}
