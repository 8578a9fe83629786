import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, navigate, signUp } from './helpers';

const KINDS = [
  'SWOT analysis',
  'Competitor landscape',
  'Marketing plan',
  'Customer personas',
  'Pricing review',
  'Customer feedback',
];

/// Answers whatever the kind's form asks: text, numbers and choices, as a person would type them.
async function fillForm(page: Page) {
  const form = page.locator('form#analysis-form');
  for (const box of await form.getByRole('textbox').all()) {
    if ((await box.inputValue()) === '') await box.fill('Winter sourdough range');
  }
  for (const number of await form.getByRole('spinbutton').all()) await number.fill('2');
  for (const select of await form.getByRole('combobox').all()) await select.selectOption({ index: 1 });
}

async function startKind(page: Page, kind: string) {
  await navigate(page, 'Analyses');
  await page.getByRole('link', { name: 'New analysis' }).click();
  await page.getByRole('button', { name: `Start: ${kind}` }).click();
  await expect(page.getByRole('heading', { name: kind, level: 1 })).toBeVisible();
}

async function expectReport(page: Page) {
  await expect(page.locator('.facts').getByRole('status')).toHaveText('Done', { timeout: 60_000 });
  const report = page.frameLocator('iframe.report');
  await expect(report.locator('h1')).not.toBeEmpty();
  await expect(report.locator('svg').first()).toBeVisible();
}

test('runs an analysis of every kind offline, reads its report and downloads each format', async ({ page }) => {
  await signUp(page, 'Every Kind Bakery');
  for (const kind of KINDS) {
    await startKind(page, kind);
    await fillForm(page);
    if (kind === KINDS[0]) await expectAccessible(page);
    await page.getByRole('button', { name: 'Run analysis' }).click();
    await expectReport(page);
  }
  await expectAccessible(page);

  // The last report, in each format, through the browser's own download.
  for (const [format, check] of [
    ['HTML', (text: string) => expect(text).toContain('<!DOCTYPE html>')],
    ['MD', (text: string) => expect(text).toMatch(/^# /)],
    ['JSON', (text: string) => expect(JSON.parse(text).result.sections.length).toBeGreaterThan(0)],
    ['CSV', (text: string) => expect(text.split('\r\n')[0]).toBe('type,chart,label,series,value,unit')],
  ] as const) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download ${format}` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^analysis-.+\\.${format.toLowerCase()}$`));
    check(await readFile(await download.path(), 'utf8'));
  }

  await navigate(page, 'Analyses');
  await expect(page.getByRole('row')).toHaveCount(KINDS.length + 1);
  await expect(page.getByRole('cell', { name: 'Done' })).toHaveCount(KINDS.length);
  await expectAccessible(page);
});

test('saves a form as a template, edits it and runs it again', async ({ page }) => {
  await signUp(page, 'Template Bakery');
  await startKind(page, 'SWOT analysis');
  await page.getByRole('textbox', { name: /^Goal/ }).fill('Open a second shop');
  await page.getByLabel('Template name').fill('Second shop SWOT');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Template Second shop SWOT saved.' })).toBeVisible();

  await navigate(page, 'Templates');
  await page.getByRole('link', { name: 'Second shop SWOT' }).click();
  await expect(page.getByRole('textbox', { name: /^Goal/ })).toHaveValue('Open a second shop');
  await page.getByRole('textbox', { name: /^Goal/ }).fill('Open a second shop in Halle');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expectAccessible(page);

  await navigate(page, 'Templates');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Run Second shop SWOT' }).click();
  await expectReport(page);
  await expect(page.frameLocator('iframe.report').locator('body')).toContainText('SWOT');

  await navigate(page, 'Templates');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Delete Second shop SWOT' }).click();
  await expect(page.getByText('No templates yet')).toBeVisible();
});
