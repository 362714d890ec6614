import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { customerWithInvoices, expectNoAxeViolations, fillInBusiness, ownClient, portico, signIn, signInToDashboard, startPaying } from './wizard';

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

/** A dashboard user of its own for each test. */
function addUser(role: 'admin' | 'viewer', slug = 'northwind') {
  const email = `staff-${randomUUID().slice(0, 8)}@${slug}.example`;
  portico(['merchant', 'add-user', '--merchant', slug, '--email', email, '--role', role]);
  return email;
}

async function openSection(page: Page, name: 'Overview' | 'Payments' | 'Customers' | 'Settings') {
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** How far the page reaches past the screen's width (0: no sideways scrolling). */
async function sidewaysOverflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** A customer pays one invoice by card (a sandbox test card); returns the receipt's confirmation number. */
async function paidByCard(
  page: Page,
  request: Parameters<typeof customerWithInvoices>[0],
  total: string,
  card = '4242 4242 4242 4242',
) {
  const customer = await customerWithInvoices(request, [total]);
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Credit or debit card').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel('Name on card').fill('Ana López');
  await page.getByLabel('Postal code').fill('94105');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel(/^I authorize/).check();
  await page.getByRole('button', { name: /^Pay \$/ }).click();
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  const confirmation = (await page.locator('dd.confirmation').textContent())!.trim();
  await page.getByRole('button', { name: 'Sign out' }).click();
  return { confirmation, customer };
}

test('a bookkeeper finds a payment by its confirmation number and marks it reconciled', async ({ page, request }, info) => {
  const { confirmation } = await paidByCard(page, request, '420.00');
  const admin = addUser('admin');
  await signInToDashboard(page, admin);
  await expectNoAxeViolations(page, info);
  await openSection(page, 'Payments');
  await expectNoAxeViolations(page, info);

  await page.getByLabel('Confirmation number').fill(confirmation);
  await page.getByRole('button', { name: 'Show payments' }).click();
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('link', { name: confirmation }).click();
  await expect(page.getByRole('heading', { name: 'Payment of 420.00 USD' })).toBeVisible();
  await expect(page.getByText('Not reconciled')).toBeVisible();
  await expect(page.getByText('Visa •••• 4242', { exact: true })).toBeVisible();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Mark reconciled' }).click();
  await expect(page.getByText(`Reconciled by hand by ${admin}`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark unreconciled' })).toBeVisible();

  const answer = await request.get(`/api/v1/payments/${confirmation}`, {
    headers: { Authorization: `Bearer ${process.env.PORTICO_E2E_API_KEY}` },
  });
  expect(answer.status()).toBe(200);
  const reconciliation = (await answer.json()).reconciliation;
  expect(reconciliation.state).toBe('reconciled');
  expect(reconciliation.reconciled_by).toBe(admin);
});

test('a bookkeeper works through what is not yet reconciled; a viewer can only read', async ({ page, request }, info) => {
  const { confirmation } = await paidByCard(page, request, '88.10');
  const admin = addUser('admin');
  await signInToDashboard(page, admin);
  await page.getByRole('link', { name: /succeeded payments? (is|are) not yet reconciled/ }).click();
  await expect(page.getByRole('heading', { name: 'Payments', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Reconciliation')).toHaveValue('unreconciled');
  await page.getByLabel(`Select payment ${confirmation}`).check();
  await page.getByRole('button', { name: 'Mark reconciled' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'changed' })).toHaveText('1 payment changed.');
  await expect(page.getByRole('link', { name: confirmation })).toHaveCount(0);
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to your dashboard' })).toBeVisible();

  const viewer = addUser('viewer');
  await signInToDashboard(page, viewer);
  await expect(page.getByText(`${viewer} · Viewer`)).toBeVisible();
  await openSection(page, 'Payments');
  await page.getByLabel('Confirmation number').fill(confirmation);
  await page.getByRole('button', { name: 'Show payments' }).click();
  await expect(page.getByRole('link', { name: confirmation })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark reconciled' })).toHaveCount(0);
  await page.getByRole('link', { name: confirmation }).click();
  await expect(page.getByText(`Reconciled by hand by ${admin}`)).toBeVisible();
  await expect(page.getByRole('button', { name: /^Mark/ })).toHaveCount(0);
  await expectNoAxeViolations(page, info);
});

test('an admin approves an access request and the requester signs in to the invoices', async ({ page, request }, info) => {
  // A business on file whose contact is someone else; a colleague asks for access by its name.
  const onFile = await customerWithInvoices(request, ['310.00']);
  const business = `Initrode ${onFile.email.slice(4, 12)}`;
  const colleague = `colleague-${randomUUID().slice(0, 8)}@initrode.example`;
  await signIn(page, colleague);
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await page.getByLabel('Business name').fill(business);
  await fillInBusiness(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: /Your request is with Northwind IT Services/ })).toBeVisible();
  await page.context().clearCookies();

  await signInToDashboard(page, addUser('admin'));
  await openSection(page, 'Customers');
  const card = page.getByRole('article', { name: colleague });
  await expect(card.getByLabel(new RegExp(`^${business}`))).toBeChecked();
  await expectNoAxeViolations(page, info);
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved' })).toBeVisible();
  await expect(page.getByRole('article', { name: colleague })).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, colleague);
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await fillInBusiness(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Your invoices' })).toBeVisible();
  await expect(page.getByText(onFile.numbers[0])).toBeVisible();
});

test('an admin rebrands, changes how customers pay, adds a viewer and issues an API key', async ({ page, request }, info) => {
  // A merchant of its own, so that the demo merchants other tests pay look as they expect.
  const slug = `settings-${randomUUID().slice(0, 8)}`;
  portico(['merchant', 'create', '--name', 'Contoso Supply', '--slug', slug, '--country', 'US']);
  const admin = addUser('admin', slug);
  await signInToDashboard(page, admin);
  await openSection(page, 'Settings');
  await expectNoAxeViolations(page, info);

  await page.getByLabel('Name customers see').fill('Contoso');
  await page.getByLabel('Logo address, https:// (optional)').fill('http://cdn.contoso.example/logo.png');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByText('A logo address must start with https://')).toBeVisible();
  await expect(page.getByLabel('Name customers see')).toHaveValue('Contoso');
  await expect(page.getByLabel('Logo address, https:// (optional)')).toBeFocused();
  await expectNoAxeViolations(page, info);
  await page.getByLabel('Logo address, https:// (optional)').fill('');
  await page.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Branding saved' })).toBeVisible();

  await page.getByLabel('Bank account (ACH)').uncheck();
  await page.getByLabel('Offer 30-day plans').uncheck();
  await page.getByRole('button', { name: 'Save payment settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Payment settings saved' })).toBeVisible();
  await expect(page.getByLabel('Bank account (ACH)')).not.toBeChecked();
  await expect(page.getByLabel('Credit or debit card')).toBeChecked();

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  const viewer = `viewer-${randomUUID().slice(0, 8)}@contoso.example`;
  await page.getByLabel('Email address').fill(viewer);
  await page.getByLabel(/^Viewer/).check();
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('row', { name: new RegExp(viewer) })).toContainText('Viewer');
  await expectNoAxeViolations(page, info);

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('button', { name: 'Issue a new key' }).click();
  const key = await page.getByLabel('API key', { exact: true }).inputValue();
  expect(key).toMatch(/^portico_sk_[0-9a-f]{64}$/);
  await expectNoAxeViolations(page, info);
  const merchant = await request.get('/api/v1/merchant', { headers: { Authorization: `Bearer ${key}` } });
  expect(merchant.status()).toBe(200);
  const settings = await merchant.json();
  expect(settings.display_name).toBe('Contoso');
  expect(settings.payment_methods).toEqual(['card']);
  expect(settings.installments.terms.map((term: { days: number }) => term.days)).toEqual([60, 90, 120, 150]);
  await page.reload();
  await expect(page.getByLabel('API key', { exact: true })).toHaveCount(0);

  // The customers' billing link carries the new name.
  await page.goto(`/pay/${slug}`);
  await expect(page.getByText('Contoso', { exact: true }).first()).toBeVisible();
});

test('an admin refunds part of a card payment, and the invoice owes it again with its link to copy', async ({ page, request }, info) => {
  const { confirmation } = await paidByCard(page, request, '420.00');
  const admin = addUser('admin');
  await signInToDashboard(page, admin);
  await page.goto(`/dashboard/payments/${confirmation}`);
  const amount = page.getByLabel('Amount to refund');
  await expect(amount).toHaveValue('420.00');

  const confirm = page.getByLabel("Give this amount back to the customer's card");
  await amount.fill('500');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(page.getByText('At most 420.00 USD of this payment is left to refund.')).toBeVisible();
  await expect(page.getByText('Tick the box to confirm the refund')).toBeVisible();
  await expect(amount).toHaveValue('500');
  await expect(amount).toBeFocused();
  await expectNoAxeViolations(page, info);

  await amount.fill('20.00');
  await confirm.check();
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  const done = page.getByRole('status').filter({ hasText: 'Refunded 20.00 USD. The invoices it paid owe again' });
  await expect(done).toBeVisible();
  await expect(done).toBeFocused();
  await expect(amount).toHaveValue('400.00');
  await expect(page.getByRole('cell', { name: '420.00 USD (20.00 USD refunded)' })).toBeVisible();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoAxeViolations(page, info);

  const answer = await request.get(`/api/v1/payments/${confirmation}`, {
    headers: { Authorization: `Bearer ${process.env.PORTICO_E2E_API_KEY}` },
  });
  const payment = await answer.json();
  expect(payment.amount_refunded).toBe('20.00');
  expect(payment.status).toBe('succeeded');

  await page.goto(`/dashboard/invoices/${payment.allocations[0].invoice_id}`);
  await expect(page.getByText(`Refund of 20.00 USD of payment ${confirmation}: owed again`)).toBeVisible();
  const link = page.getByLabel('Link to this invoice');
  await expect(link).toHaveValue(/\/pay\/northwind\/i\//);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoAxeViolations(page, info);
  const copy = page.getByRole('button', { name: 'Copy link' });
  if (info.project.name.endsWith('no-js')) {
    await expect(copy).toHaveCount(0);
  } else {
    await copy.click();
    await expect(page.getByRole('status').filter({ hasText: 'Link copied to the clipboard.' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await link.inputValue());
  }
});

test('a refund the processor did not answer waits on the overview until an admin asks again', async ({ page, request }, info) => {
  // The sandbox makes this card's refunds without answering the first time it is asked.
  const { confirmation } = await paidByCard(page, request, '130.00', '4000 0000 0000 7726');
  const admin = addUser('admin');
  await signInToDashboard(page, admin);
  await page.goto(`/dashboard/payments/${confirmation}`);
  await page.getByLabel("Give this amount back to the customer's card").check();
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'which has not answered yet' })).toBeFocused();
  await expect(page.getByLabel('Amount to refund')).toHaveCount(0);

  await openSection(page, 'Overview');
  const waiting = page.getByRole('table', { name: "Refunds waiting for the processor's answer" });
  await expect(waiting).toBeVisible();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoAxeViolations(page, info);
  await waiting.getByRole('link', { name: confirmation }).click();

  await page.getByRole('button', { name: 'Ask the processor again' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Refunded 130.00 USD.' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Ask the processor again' })).toHaveCount(0);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expectNoAxeViolations(page, info);
  const answer = await request.get(`/api/v1/payments/${confirmation}/refunds`, {
    headers: { Authorization: `Bearer ${process.env.PORTICO_E2E_API_KEY}` },
  });
  const refunds = (await answer.json()).data;
  expect(refunds.map((refund: { status: string }) => refund.status)).toEqual(['succeeded']);
});
