import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'Browser-Passw0rd!';

let counter = 0;
/// An address no other test (or earlier run against the same emulator) has used.
export function uniqueEmail(who: string): string {
  counter += 1;
  return `${who}.${Date.now().toString(36)}${counter}@example.com`;
}

/// Signs a new business up through the sign-up page and lands on its profile.
export async function signUp(page: Page, company: string): Promise<{ email: string }> {
  const email = uniqueEmail('owner');
  await page.goto('/signup');
  await page.getByLabel('Business name').fill(company);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Business profile', level: 1 })).toBeVisible();
  return { email };
}

export async function logIn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function navigate(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/// No serious or critical WCAG 2.2 AA violation on what the page shows now. The report frame is
/// sandboxed without scripts, so axe cannot run inside it; the report itself is plain headings,
/// paragraphs, tables and titled SVGs.
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .exclude('iframe.report')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe on ${page.url()}`,
  ).toEqual([]);
}
