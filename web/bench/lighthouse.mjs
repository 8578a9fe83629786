// Lighthouse (performance, accessibility, best practices) of the signed-in dashboard, against the
// local stack at CONFIDE_BENCH_URL, in Debian's Chromium. Lighthouse's own browser loads the page as
// a returning visitor: the refresh cookie of a fresh demo tenant is sent with every request, so the
// app restores the session exactly as after a reload. Prints the scores and the main timings.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/chromium.mjs';

const base = process.env.CONFIDE_BENCH_URL ?? 'http://127.0.0.1:3110';
const runs = Number(process.env.CONFIDE_BENCH_RUNS ?? 3);

async function api(path, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const email = `lighthouse.${Date.now()}@example.com`;
const password = 'Lighthouse-Passw0rd!';
await api('/v1/signup', { company: 'Lighthouse Bakery', email, password });
const tokens = await api('/v1/auth/login', { email, password });
const cookie = `confide_refresh=${tokens.refresh_token}`;

const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
});
const results = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const result = await lighthouse(`${base}/`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      extraHeaders: { Cookie: cookie },
    });
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(lhr.runtimeError.message);
    results.push({
      performance: lhr.categories.performance.score * 100,
      accessibility: lhr.categories.accessibility.score * 100,
      bestPractices: lhr.categories['best-practices'].score * 100,
      fcp: lhr.audits['first-contentful-paint'].numericValue,
      lcp: lhr.audits['largest-contentful-paint'].numericValue,
      tbt: lhr.audits['total-blocking-time'].numericValue,
      cls: lhr.audits['cumulative-layout-shift'].numericValue,
      finalUrl: lhr.finalDisplayedUrl,
    });
  }
} finally {
  await chrome.kill();
}
const median = (key) => {
  const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
console.log(`Lighthouse ${lighthouseVersion()} — dashboard (${results[0].finalUrl}), mobile preset, median of ${runs}`);
console.log(`  performance ${median('performance')}  accessibility ${median('accessibility')}  best practices ${median('bestPractices')}`);
console.log(
  `  FCP ${(median('fcp') / 1000).toFixed(2)} s  LCP ${(median('lcp') / 1000).toFixed(2)} s  TBT ${Math.round(median('tbt'))} ms  CLS ${median('cls').toFixed(3)}`,
);
if (!results.every((r) => new URL(r.finalUrl).pathname === '/')) {
  console.error('the dashboard was not reached (redirected to log in?)');
  process.exit(1);
}

function lighthouseVersion() {
  return process.env.npm_package_devDependencies_lighthouse ?? '12';
}
