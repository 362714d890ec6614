import { test, expect, type Page } from '@playwright/test';
import { advanceTestClock, customerWithInvoices, expectNoAxeViolations, jsEnabled, ownClient, startPaying } from './wizard';

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

async function enterCard(page: Page, number: string) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel('Name on card').fill('Ana López');
  await page.getByLabel('Postal code').fill('94105');
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function authorizeAndPay(page: Page, label: string) {
  await expect(page.getByRole('heading', { name: 'Review and pay' })).toBeVisible();
  await page.getByLabel(/^I authorize/).check();
  await page.getByRole('button', { name: label, exact: true }).click();
}

test('one invoice is paid in full by card', async ({ page, request }, info) => {
  const customer = await customerWithInvoices(request, ['1250.00']);
  await startPaying(page, customer.email);
  await expect(page.getByText('Step 5 of 8')).toBeVisible();
  await expect(page.getByLabel(`Amount to pay for invoice ${customer.numbers[0]}`)).toHaveValue('1250.00');
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  if (jsEnabled(info)) await expect(page.getByText('Total to pay: 1,250.00 USD')).toBeVisible();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('group', { name: 'Payment method' })).toBeVisible();
  await expect(page.getByLabel('Bank account (ACH)')).toBeVisible();
  await expect(page.getByText('Clears in 3 business days.')).toBeVisible();
  await expect(page.getByLabel('Pay in installments')).toBeVisible();
  await expectNoAxeViolations(page, info);
  await page.getByLabel('Credit or debit card').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Your card' })).toBeVisible();
  await expect(page.getByLabel('Card number')).toHaveAttribute('autocomplete', 'cc-number');
  await expect(page.getByLabel('Card number')).toHaveAttribute('inputmode', 'numeric');
  await expectNoAxeViolations(page, info);
  if (jsEnabled(info)) {
    await page.getByLabel('Card number').fill('4242 4242 4242 4241');
    await expect(page.getByText('This card number has a typo')).toBeVisible();
  }
  await enterCard(page, '4242 4242 4242 4242');

  await expect(page.getByText('Visa •••• 4242', { exact: true })).toBeVisible();
  await expectNoAxeViolations(page, info);
  await authorizeAndPay(page, 'Pay $1,250.00');

  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(page.getByText('Confirmation number')).toBeVisible();
  await expect(page.getByRole('status')).toContainText('succeeded');
  await expectNoAxeViolations(page, info);
  await page.getByRole('link', { name: 'Back to your invoices' }).click();
  await expect(page.getByText('You have no outstanding invoices')).toBeVisible();
});

test('two invoices, one partly, by ACH with typed details, settle on the test clock', async ({ page, request }, info) => {
  const customer = await customerWithInvoices(request, ['500.00', '200.00']);
  const [first, second] = customer.numbers;
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${first}`).check();
  await page.getByLabel(`Select invoice ${second}`).check();
  await page.getByLabel(`Amount to pay for invoice ${second}`).fill('250.00');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(`Invoice ${second} has 200.00 USD left to pay; enter at most that.`)).toBeVisible();
  await expect(page.getByLabel(`Amount to pay for invoice ${second}`)).toHaveValue('250.00');
  await page.getByLabel(`Amount to pay for invoice ${second}`).fill('75.25');
  // The live total appears once the WASM has hydrated the island, which on a loaded 2-core
  // machine running two browsers can take longer than the default 5 s.
  if (jsEnabled(info)) {
    await expect(page.getByText('Total to pay: 575.25 USD')).toBeVisible({ timeout: 15_000 });
  }
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByLabel('Bank account (ACH)').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Your bank account' })).toBeVisible();
  await page.getByLabel('Routing number').fill('110000000');
  await page.getByLabel('Account number', { exact: true }).fill('000123456789');
  await page.getByLabel('Confirm account number').fill('000123456789');
  await page.getByLabel('Checking').check();
  await page.getByLabel('Business').check();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByText('Bank account •••• 6789', { exact: true })).toBeVisible();
  await expect(page.getByText(/CCD ACH debit/)).toBeVisible();
  await authorizeAndPay(page, 'Pay $575.25');
  await expect(page.getByRole('heading', { name: 'Payment processing' })).toBeVisible();
  await expect(page.getByText(/expected to settle on/)).toBeVisible();
  const receipt = page.url();

  const advanced = advanceTestClock(7);
  expect(advanced.settled).toBeGreaterThanOrEqual(1);
  await page.goto(receipt);
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to your invoices' }).click();
  await expect(page.getByText(first)).toHaveCount(0);
  await expect(page.getByText('124.75 USD').first()).toBeVisible();
});

test('a declined card, then a good one', async ({ page, request }, info) => {
  const customer = await customerWithInvoices(request, ['80.00']);
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Credit or debit card').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await enterCard(page, '4000 0000 0000 0002');
  await authorizeAndPay(page, 'Pay $80.00');
  await expect(page.getByRole('heading', { name: 'Payment declined' })).toBeVisible();
  await expect(page.getByText('Your card was declined.')).toBeVisible();
  await expectNoAxeViolations(page, info);

  await page.getByRole('link', { name: 'Try another method' }).click();
  await page.getByLabel('Credit or debit card').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await enterCard(page, '4242 4242 4242 4242');
  await authorizeAndPay(page, 'Pay $80.00');
  await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
});

test('a PAD debit that is returned reopens its invoice', async ({ page, request }, info) => {
  const customer = await customerWithInvoices(request, ['940.00'], {
    slug: 'maple-wholesale',
    currency: 'CAD',
    country: 'CA',
  });
  await startPaying(page, customer.email, 'maple-wholesale');
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Bank account (ACH)')).toHaveCount(0);
  await page.getByLabel('Pre-authorized debit (PAD)').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Institution number').fill('000');
  await page.getByLabel('Transit number').fill('11000');
  await page.getByLabel('Account number', { exact: true }).fill('000222222227');
  await page.getByLabel('Confirm account number').fill('000222222227');
  await page.getByRole('group', { name: 'PAD category' }).getByLabel('Business').check();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/recourse rights/)).toBeVisible();
  await expectNoAxeViolations(page, info);
  await authorizeAndPay(page, 'Pay $940.00 CAD');
  await expect(page.getByRole('heading', { name: 'Payment processing' })).toBeVisible();
  const receipt = page.url();

  const advanced = advanceTestClock(8);
  expect(advanced.returned).toBeGreaterThanOrEqual(1);
  await page.goto(receipt);
  await expect(page.getByRole('heading', { name: 'Payment returned' })).toBeVisible();
  await expect(page.getByText(/R01/)).toBeVisible();
  await page.getByRole('link', { name: 'Back to your invoices' }).click();
  await expect(page.getByText(customer.numbers[0])).toBeVisible();
  await expect(page.getByText('940.00 CAD').first()).toBeVisible();
});

test('a customer connects a test bank and pays from the account picked', async ({ page, request }, info) => {
  const customer = await customerWithInvoices(request, ['90.00']);
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Bank account (ACH)').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Connect your bank' })).toBeVisible();
  await page.getByLabel('First Sandbox Bank').check();
  await page.getByLabel('Online banking username').fill('user_good');
  await page.getByLabel('Online banking password').fill('pass_bad');
  await page.getByRole('button', { name: 'Connect your bank' }).click();
  await expect(page.getByText(/did not accept that username and password/)).toBeVisible();
  await page.getByLabel('First Sandbox Bank').check();
  await page.getByLabel('Online banking password').fill('pass_good');
  await page.getByRole('button', { name: 'Connect your bank' }).click();
  await expect(page.getByText('Connected to First Sandbox Bank.', { exact: false })).toBeVisible();
  await expectNoAxeViolations(page, info);
  await page.getByLabel('Business checking •••• 6789').check();
  await page.getByRole('group', { name: 'Account holder type' }).first().getByLabel('Business').check();
  await page.getByRole('button', { name: 'Use this account' }).click();
  await expect(page.getByText('Bank account •••• 6789', { exact: true })).toBeVisible();
  await authorizeAndPay(page, 'Pay $90.00');
  await expect(page.getByRole('heading', { name: 'Payment processing' })).toBeVisible();
});
