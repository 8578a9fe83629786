// The README's screenshots: real pages of a fresh tenant on the local stack at CONFIDE_BENCH_URL
// (started by infra/scripts/screenshots.sh), taken in Debian's Chromium. Not a test.
import { chromium } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/chromium.mjs';

const base = process.env.CONFIDE_BENCH_URL ?? 'http://127.0.0.1:3120';
const out = new URL('../../docs/screenshots/', import.meta.url).pathname;
await mkdir(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
try {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Business name').fill('Linden Bakery');
  await page.getByLabel('Email').fill(`greta.${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('Screenshot-Passw0rd!');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Type of business').fill('artisan bakery');
  await page.getByLabel('Location').fill('Leipzig');
  await page.getByLabel('Products and services').fill('sourdough bread\npretzels\nstollen');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  await page.goto(`${base}/analyses/new?kind=swot`);
  await page.getByRole('textbox', { name: /^Goal/ }).fill('Open a second shop in Halle next spring');
  await page.getByLabel(/^Time horizon/).selectOption('1 year');
  await page.screenshot({ path: `${out}/analysis-form.png` });
  await page.getByRole('button', { name: 'Run analysis' }).click();
  await page.locator('.facts').getByRole('status').filter({ hasText: 'Done' }).waitFor({ timeout: 60_000 });
  await page.frameLocator('iframe.report').locator('svg').first().waitFor();
  await page.screenshot({ path: `${out}/analysis-report.png` });

  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
  await page.getByText('Done').first().waitFor();
  await page.screenshot({ path: `${out}/dashboard.png` });
} finally {
  await browser.close();
}
console.log(`screenshots written to ${out}`);
