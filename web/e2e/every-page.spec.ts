import { expect, test } from '@playwright/test';
import { expectAccessible, signUp } from './helpers';

const PAGES = [
  ['Dashboard', /Welcome, A11y Bakery/],
  ['Analyses', 'Analyses'],
  ['Templates', 'Templates'],
  ['Inbox', 'Inbox'],
  ['Contacts', 'Contacts'],
  ['Campaigns', 'Campaigns'],
  ['Business profile', 'Business profile'],
  ['Members', 'Members'],
  ['Billing', 'Billing'],
  ['Audit log', 'Audit log'],
  ['Settings', 'Settings'],
  ['Security', 'Security'],
] as const;

test('every page passes an axe scan, with the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await expectAccessible(page);
  await page.goto('/signup');
  await expectAccessible(page);
  await signUp(page, 'A11y Bakery');
  for (const [link, heading] of PAGES) {
    // Tab to the link as a keyboard user would, rather than clicking it.
    const target = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true });
    await target.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    await expectAccessible(page);
  }
  await page.goto('/analyses/new');
  await expectAccessible(page);
  await page.goto('/contacts/new');
  await expectAccessible(page);
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expectAccessible(page);
});

test('speaks German when chosen, and keeps the choice', async ({ page }) => {
  await signUp(page, 'Sprach Bäckerei');
  await page.getByLabel('Language').selectOption('de');
  await expect(page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Übersicht' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unternehmensprofil', level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Abmelden' })).toBeVisible();
  await expectAccessible(page);
});

test.describe('with a German browser', () => {
  test.use({ locale: 'de-DE' });
  test('the login page is German from the first visit', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Bei Confide anmelden' })).toBeVisible();
  });
});

test.describe('on a phone-sized screen', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test('the menu opens from its button and the pages fit', async ({ page }) => {
    await signUp(page, 'Phone Bakery');
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' })).toBeHidden();
    await menu.click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });
});
