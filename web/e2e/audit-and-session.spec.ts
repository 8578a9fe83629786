import { expect, test } from '@playwright/test';
import { expectAccessible, navigate, signUp } from './helpers';

test('reads the audit log, filters it and verifies the chain', async ({ page }) => {
  await signUp(page, 'Audit Bakery');
  await page.getByLabel('Location').fill('Dresden');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await navigate(page, 'Audit log');
  const rows = page.getByRole('row');
  await expect(rows.filter({ hasText: 'tenant.created' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'profile.updated' })).toHaveCount(1);

  await page.getByLabel('Action').selectOption('profile.updated');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(rows.filter({ hasText: 'tenant.created' })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'profile.updated' })).toHaveCount(1);

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The chain holds' })).toContainText(/\d+ entries checked/);
  await expectAccessible(page);
});

test('logs out, and neither the back button nor a reload shows the data again', async ({ page }) => {
  await signUp(page, 'Back Button Bakery');
  await navigate(page, 'Contacts');
  await page.getByRole('link', { name: 'New contact' }).click();
  await page.getByLabel('Name').fill('Erika Mustermann');
  await page.getByLabel('Email').fill('erika@example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Erika Mustermann' })).toBeVisible();

  // A reload while signed in keeps the session: the refresh cookie brings a new access token.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Erika Mustermann' })).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to Confide' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Log in to Confide' })).toBeVisible();
  await expect(page.getByText('Erika Mustermann')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Log in to Confide' })).toBeVisible();
  await expect(page.getByText('Erika Mustermann')).toHaveCount(0);
  // The refresh cookie is gone too: the API gives no new session.
  const refresh = await page.request.post('/v1/auth/refresh', { data: {} });
  expect(refresh.status()).toBe(401);
});
