import { expect, test } from '@playwright/test';
import { expectAccessible, logIn, navigate, PASSWORD, signUp } from './helpers';
import { totp } from './totp';

test('turns on two-step login with an authenticator app and then logs in with a code', async ({ page }) => {
  const { email } = await signUp(page, 'Second Step Bakery');
  await navigate(page, 'Security');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
  await expect(qr).toBeVisible();
  // Drawn in the page from the otpauth URI: a data URL, never a request to a QR service.
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
  await expectAccessible(page);
  const secret = (await page.locator('code').first().textContent()) ?? '';
  // Cognito's secret is base32; the emulator's fixed one is too, read case-blind.
  expect(secret.toUpperCase()).toMatch(/^[A-Z2-7]+=*$/);
  await page.getByLabel('Six-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Two-step login is on.' })).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, email, PASSWORD);
  await expect(page.getByLabel('Six-digit code')).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Six-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: /Welcome, Second Step Bakery/ })).toBeVisible();
});
