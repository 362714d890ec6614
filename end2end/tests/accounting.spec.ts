import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations, fillInBusiness, ownClient, portico, signIn, signInToDashboard } from './wizard';

/** The fake Xero's open invoice (server/examples/fake_accounting.rs). */
const XERO_INVOICE_ID = '5f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

// One merchant of its own, connected once: the test runs on the desktop only, since the
// projects run side by side and would connect and disconnect the same fake organisation.
test('an admin connects Xero in the settings and a paid invoice is recorded there', async ({ page, request }, info) => {
  test.skip(info.project.name !== 'desktop', 'connects one fake organisation: desktop only');
  const id = randomUUID().slice(0, 8);
  const slug = `ledger-${id}`;
  const created = JSON.parse(portico(['merchant', 'create', '--name', `Ledger ${id}`, '--slug', slug, '--country', 'US']));
  const admin = `admin-${id}@${slug}.example`;
  portico(['merchant', 'add-user', '--merchant', slug, '--email', admin, '--role', 'admin']);

  await signInToDashboard(page, admin);
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Accounting' }).click();
  await expect(page.getByRole('heading', { name: 'Accounting', level: 1 })).toBeVisible();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Connect Xero' }).click();

  // Xero's consent page (the fake's plain form), then back.
  await expect(page.getByRole('heading', { name: 'Let Portico at your books?' })).toBeVisible();
  await page.getByRole('button', { name: 'Allow access' }).click();
  await expect(page.getByRole('status')).toContainText('Connected to Xero (Northwind Books Ltd)');
  await expect(page.getByRole('status')).toBeFocused();
  await page.getByLabel('Deposit payments to').selectOption({ label: 'Business Bank Account (090)' });
  await page.getByRole('button', { name: 'Save account' }).click();
  await expect(page.getByRole('status')).toContainText('payments are deposited to the account chosen');
  await expectNoAxeViolations(page, info);
  await page.screenshot({ path: info.outputPath('accounting-connected.png'), fullPage: true });

  // A customer pays an invoice that is in Xero.
  const headers = { Authorization: `Bearer ${created.api_key}` };
  const email = `ap-${id}@ledger-customer.example`;
  const customer = await request.post('/api/v1/customers', { headers, data: { name: `Books ${id} Inc.`, email, country: 'US' } });
  expect(customer.status()).toBe(201);
  const number = `LX-${id}`;
  const invoice = await request.post('/api/v1/invoices', {
    headers,
    data: {
      customer_id: (await customer.json()).id, number, currency: 'USD', total: '275.00',
      issued_on: '2026-11-01', due_on: '2027-01-31', external_id: XERO_INVOICE_ID,
    },
  });
  expect(invoice.status()).toBe(201);
  const customerPage = await page.context().browser()!.newPage();
  await ownClient(customerPage);
  await signIn(customerPage, email, slug);
  await fillInBusiness(customerPage);
  await customerPage.getByRole('button', { name: 'Continue' }).click();
  await customerPage.getByRole('link', { name: 'Choose what to pay' }).click();
  await customerPage.getByLabel(`Select invoice ${number}`).check();
  await customerPage.getByRole('button', { name: 'Continue' }).click();
  await customerPage.getByLabel('Credit or debit card').check();
  await customerPage.getByRole('button', { name: 'Continue' }).click();
  await customerPage.getByLabel('Card number').fill('4242 4242 4242 4242');
  await customerPage.getByLabel('Expiry (MM/YY)').fill('12/30');
  await customerPage.getByLabel('Security code').fill('123');
  await customerPage.getByLabel('Name on card').fill('Ana López');
  await customerPage.getByLabel('Postal code').fill('94105');
  await customerPage.getByRole('button', { name: 'Continue' }).click();
  await customerPage.getByLabel(/^I authorize/).check();
  await customerPage.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(customerPage.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  const confirmation = (await customerPage.locator('dd.confirmation').textContent())!.trim();
  await customerPage.close();

  // The background worker records it within moments: the payment's page says so.
  await expect(async () => {
    await page.goto(`/dashboard/payments/${confirmation}`);
    await expect(page.getByText('In accounting', { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByText(/^In Xero as [0-9a-f-]{36}$/)).toBeVisible();
  await expectNoAxeViolations(page, info);

  await page.goto('/dashboard/settings/accounting');
  await page.getByRole('button', { name: 'Disconnect Xero' }).click();
  await expect(page.getByRole('status')).toContainText('Disconnected.');
  await expect(page.getByRole('button', { name: 'Connect Xero' })).toBeVisible();
});
