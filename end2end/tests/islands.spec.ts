import { test, expect } from '@playwright/test';
import { customerWithInvoices, jsEnabled, newCustomer, ownClient, startPaying, watchForErrors } from './wizard';

// The pages are server-rendered forms; these are the parts that come alive once their island
// hydrates. Without JavaScript each test checks what stands in for the island instead.

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

test('step 5 adds up the amounts as they are typed, and select-all ticks every invoice', async ({
  page,
  request,
}, info) => {
  const errors = watchForErrors(page);
  const customer = await customerWithInvoices(request, ['100.00', '50.25']);
  const [first, second] = customer.numbers;
  await startPaying(page, customer.email);
  await expect(page.getByText('Select the invoices to pay.')).toBeVisible();
  await page.getByLabel(`Select invoice ${first}`).check();
  await page.getByLabel(`Amount to pay for invoice ${first}`).fill('40');
  if (!jsEnabled(info)) {
    // Nothing adds up in the page; the server does, on Continue.
    await expect(page.getByText('Select the invoices to pay.')).toBeVisible();
    return;
  }
  await expect(page.getByText('Total to pay: 40.00 USD')).toBeVisible();
  await page.getByLabel('Select all invoices').check();
  await expect(page.getByLabel(`Select invoice ${second}`)).toBeChecked();
  await expect(page.getByText('Total to pay: 90.25 USD')).toBeVisible();
  await page.getByLabel(`Amount to pay for invoice ${second}`).fill('fifty');
  await expect(page.getByText('Check the amounts below.')).toBeVisible();
  await page.getByLabel('Select all invoices').uncheck();
  await expect(page.getByLabel(`Select invoice ${first}`)).not.toBeChecked();
  await expect(page.getByText('Select the invoices to pay.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('step 7 flags a mistyped card number before the form is sent', async ({ page, request }, info) => {
  const errors = watchForErrors(page);
  const customer = await customerWithInvoices(request, ['80.00']);
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Credit or debit card').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Your card' })).toBeVisible();
  const details = page.url();
  await page.getByLabel('Card number').fill('4242 4242 4242 4241');
  if (!jsEnabled(info)) {
    await expect(page.getByText('This card number has a typo')).toHaveCount(0);
    return;
  }
  await expect(page.getByText('This card number has a typo')).toBeVisible();
  expect(page.url()).toBe(details);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await expect(page.getByText('Visa ✓')).toBeVisible();
  expect(errors).toEqual([]);
});

test('step 2 counts down to when another code may be sent', async ({ page, request }, info) => {
  const errors = watchForErrors(page);
  const customer = await newCustomer(request);
  await page.goto('/pay/northwind');
  await page.getByLabel('Email address').fill(customer.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  const resend = page.getByRole('button', { name: 'Resend code' });
  const countdown = page.getByText(/You can ask for a new code in \d+ seconds\./);
  await expect(countdown).toBeVisible();
  if (!jsEnabled(info)) {
    // The button stays usable; pressing it early gets the server's answer of how long to wait.
    await expect(resend).toBeEnabled();
    return;
  }
  await expect(resend).toBeDisabled();
  const seconds = async () => Number((await countdown.textContent())!.match(/(\d+) seconds/)![1]);
  const before = await seconds();
  await expect.poll(seconds, { timeout: 5000 }).toBeLessThan(before);
  expect(errors).toEqual([]);
});
