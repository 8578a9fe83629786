import { expect, test } from '@playwright/test';
import { expectAccessible, logIn, navigate, signUp, uniqueEmail } from './helpers';

test('signs up, sets up the business profile and invites a member who sets their own password', async ({ page, browser }) => {
  await signUp(page, 'Linden Bakery');
  await expect(page.getByText('Your account is ready')).toBeVisible();

  await page.getByLabel('Type of business').fill('artisan bakery');
  await page.getByLabel('Location').fill('Leipzig');
  await page.getByLabel('Products and services').fill('sourdough\npretzels');
  await page.getByLabel('People').fill('Greta Linden');
  await page.getByRole('button', { name: 'Add a question' }).click();
  await page.getByLabel('Question 1').fill('Do you deliver?');
  await page.getByLabel('Answer 1').fill('Yes, within Leipzig.');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Products and services')).toHaveValue('sourdough\npretzels');
  await expect(page.getByLabel('Answer 1')).toHaveValue('Yes, within Leipzig.');

  // A bad value is refused with the API's message beside its field.
  await page.getByLabel('Website').fill('ftp://linden.example');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.locator('.field-invalid').getByRole('alert')).toContainText('website_url');
  await page.getByLabel('Website').fill('');
  await page.getByRole('button', { name: 'Save profile' }).click();

  await navigate(page, 'Members');
  const memberEmail = uniqueEmail('analyst');
  await page.getByLabel('Email').fill(memberEmail);
  await page.getByLabel('Role', { exact: true }).selectOption('analyst');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  const temporary = (await page.getByTestId('temporary-password').textContent()) ?? '';
  expect(temporary.length).toBeGreaterThan(8);
  await expect(page.getByRole('row', { name: new RegExp(memberEmail) })).toBeVisible();
  // The only owner can neither be removed nor demoted: the controls say so before anyone tries.
  const ownerRow = page.getByRole('row', { name: /you/ });
  await expect(ownerRow.getByRole('button', { name: /Remove/ })).toBeDisabled();
  await expect(ownerRow.getByRole('combobox')).toBeDisabled();
  await expectAccessible(page);

  // The member logs in elsewhere with the temporary password and chooses their own.
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await logIn(member, memberEmail, temporary);
  await expect(member.getByText('Choose your own password')).toBeVisible();
  await member.getByLabel('New password').fill('Member-Passw0rd!');
  await member.getByRole('button', { name: 'Continue' }).click();
  await expect(member.getByRole('heading', { name: /Welcome, Linden Bakery/ })).toBeVisible();
  // An analyst sees analyses but neither billing nor the audit log, and members read-only.
  const nav = member.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Analyses' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Billing' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Members' }).click();
  await expect(member.getByRole('button', { name: 'Send invitation' })).toBeDisabled();
  await member.screenshot({ path: test.info().outputPath('member-view.png') });
  // A page the role may not open is a plain page saying so, not an error dump.
  await member.goto('/billing');
  await expect(member.getByRole('heading', { name: 'Not allowed', level: 1 })).toBeVisible();
  await memberContext.close();
});
