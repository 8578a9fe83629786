import { expect, test } from '@playwright/test';
import { expectAccessible, navigate, signUp } from './helpers';
import { twilioSignature, twilioStandIn } from './twilio';

const ACCOUNT = 'AC' + 'c0ffee00'.repeat(4);
const TOKEN = 'e2e-auth-token-0123456789abcdef';

test('keeps contacts with consent, imports a file, sends a campaign and answers in the inbox', async ({ page }) => {
  const twilio = await twilioStandIn();
  try {
    const { email: owner } = await signUp(page, 'Inbox Bakery');
    const business = `+4930${Date.now().toString().slice(-7)}`;
    const erika = `+49151${Date.now().toString().slice(-8)}`;

    // Connect Twilio; the page shows the two webhook URLs to paste into Twilio's console.
    await navigate(page, 'Settings');
    const twilioForm = page.getByRole('form', { name: 'SMS and WhatsApp (Twilio)' });
    await twilioForm.getByLabel('Account SID').fill(ACCOUNT);
    await twilioForm.getByLabel('Auth token').fill(TOKEN);
    await twilioForm.getByLabel('Phone numbers').fill(business);
    await twilioForm.getByRole('button', { name: 'Save' }).click();
    const messagesUrl = (await page.locator('.copy-field', { hasText: 'A message comes in' }).locator('code').textContent()) ?? '';
    expect(messagesUrl).toMatch(/\/webhooks\/twilio\/.+\/messages$/);
    await expectAccessible(page);

    // A contact, then their consent to SMS marketing, with the evidence.
    await navigate(page, 'Contacts');
    await page.getByRole('link', { name: 'New contact' }).click();
    await page.getByLabel('Name').fill('Erika Mustermann');
    await page.getByLabel('Phone').fill(erika);
    await page.getByLabel('Tags').fill('regulars');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Erika Mustermann', level: 1 })).toBeVisible();
    const consent = page.getByRole('region', { name: 'Consent' });
    await consent.getByLabel('Channel').selectOption('sms');
    await consent.getByLabel('Purpose').selectOption('marketing');
    await consent.getByLabel('Evidence').fill('Signed the paper form in the shop');
    await consent.getByRole('button', { name: 'Record' }).click();
    await expect(consent.getByRole('table', { name: 'History' }).getByRole('row')).toHaveCount(2);
    await expect(consent.getByRole('table', { name: 'Current consent' }).getByRole('row', { name: /SMS/ })).toContainText('granted');
    await expectAccessible(page);

    // Exact search by phone, and an import with one row refused and why.
    await navigate(page, 'Contacts');
    await page.getByLabel('Exact email or phone').fill(erika);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('link', { name: 'Erika Mustermann' })).toBeVisible();
    await page.getByLabel('CSV file').setInputFiles({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,email,phone,tags\nMax Muster,max@example.com,,regulars\nBroken Row,not-an-email,,\n'),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByText('1 created, 0 updated, 0 unchanged, 1 rejected.')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Rejected rows' }).getByRole('row', { name: /^3 / })).toContainText('email');
    await expectAccessible(page);

    // A campaign to "regulars": counted before sending, and only Erika has consent.
    await navigate(page, 'Campaigns');
    await page.getByLabel('Send to contacts tagged').fill('regulars');
    await expect(page.getByText('1 of 2 contacts have marketing consent for SMS')).toBeVisible();
    await page.getByLabel('Message').fill('Fresh stollen this weekend!');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Send campaign' }).click();
    await expect(page.getByRole('row', { name: /SMS/ }).getByRole('cell').nth(4)).toHaveText('1', { timeout: 30_000 });
    await expectAccessible(page);
    expect(twilio.sentTo(erika).map((r) => r.form.get('Body'))).toEqual([expect.stringContaining('Fresh stollen this weekend!')]);

    // Erika writes back; the inbox shows it without a reload, and the answer goes out through Twilio.
    await navigate(page, 'Inbox');
    const params = { MessageSid: `SM${'e2e'.padEnd(32, '0')}`, AccountSid: ACCOUNT, From: erika, To: business, Body: 'Do you have rye bread?', NumMedia: '0' };
    const inbound = await page.request.post(messagesUrl, {
      form: params,
      headers: { 'x-twilio-signature': twilioSignature(TOKEN, messagesUrl, params) },
    });
    expect(inbound.status()).toBe(200);
    await page.getByRole('link', { name: /SMS/ }).first().click();
    await expect(page.getByText('Do you have rye bread?')).toBeVisible({ timeout: 15_000 });
    await page.getByLabel('Reply').fill('Yes, until six.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect(page.locator('.message.outbound', { hasText: 'Yes, until six.' })).toContainText(/sent|sending|queued/, { timeout: 30_000 });
    await expect.poll(() => twilio.sentTo(erika).map((r) => r.form.get('Body'))).toContain('Yes, until six.');
    const reply = twilio.sentTo(erika).find((r) => r.form.get('Body') === 'Yes, until six.');
    expect(reply?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(reply?.form.get('From')).toBe(business);

    await page.getByLabel('Assigned to').selectOption({ label: owner });
    await expect(page.getByLabel('Assigned to')).toHaveValue(/.+/);
    await page.getByLabel('Status', { exact: true }).selectOption('closed');
    await page.getByRole('button', { name: 'Closed' }).click();
    await expect(page.getByRole('link', { name: /SMS/ })).toHaveCount(1);
    await expectAccessible(page);
  } finally {
    await twilio.close();
  }
});
