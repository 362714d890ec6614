import { test, expect } from '@playwright/test';
import { codeSentTo, expectNoAxeViolations, fillInBusiness, newCustomer, ownClient, signIn } from './wizard';

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

test('a customer signs in with the emailed code, fills in the business once, and sees the invoices', async ({
  page,
  request,
}, info) => {
  const customer = await newCustomer(request);
  await page.goto('/pay/northwind');
  await expect(page.getByText('Step 1 of 8')).toBeVisible();
  await expectNoAxeViolations(page, info);

  await page.getByLabel('Email address').fill(customer.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await expect(page.getByText('Step 2 of 8')).toBeVisible();
  await expect(page.getByText(customer.email)).toBeVisible();
  await expectNoAxeViolations(page, info);
  const code = await codeSentTo(customer.email);
  await page.getByLabel('Verification code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.getByRole('button', { name: 'Verify' }).click();

  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await expect(page.getByLabel('Business name')).toHaveValue(customer.name);
  await expectNoAxeViolations(page, info);
  await fillInBusiness(page);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Your invoices' })).toBeVisible();
  await expect(page.getByText('Step 4 of 8')).toBeVisible();
  await expect(page.getByText(customer.invoiceNumber)).toBeVisible();
  await expectNoAxeViolations(page, info);

  // Signing out and in again skips the business step.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Email address')).toBeVisible();
  await signIn(page, customer.email);
  await expect(page.getByRole('heading', { name: 'Your invoices' })).toBeVisible();
});

test('a malformed address gets a specific message beside the field and stays as typed', async ({ page }) => {
  await page.goto('/pay/northwind');
  await page.getByLabel('Email address').fill('ana.lopez@globex');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'needs a dot' })).toBeVisible();
  await expect(page.getByLabel('Email address')).toHaveValue('ana.lopez@globex');
  await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
});

test('a wrong code is refused with its own message, and the right one still works', async ({ page, request }) => {
  const customer = await newCustomer(request);
  await page.goto('/pay/northwind');
  await page.getByLabel('Email address').fill(customer.email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  const code = await codeSentTo(customer.email);
  const wrong = code === '000000' ? '111111' : '000000';
  await page.getByLabel('Verification code').fill(wrong);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That code is not right' })).toBeVisible();
  await expect(page.getByText('4 of 5 tries left')).toBeVisible();
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
});

test('an address that is nobody’s contact asks the merchant for access', async ({ page }, info) => {
  const email = `new-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@hooli.example`;
  await signIn(page, email);
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await expect(page.getByText('not yet on file')).toBeVisible();
  await page.getByLabel('Business name').fill('Hooli Inc.');
  await fillInBusiness(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: /Your request is with Northwind IT Services/ })).toBeVisible();
  await expectNoAxeViolations(page, info);
});

test('a refused business form says what to fix for each field and keeps the rest', async ({ page, request }) => {
  const customer = await newCustomer(request);
  await signIn(page, customer.email);
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await fillInBusiness(page);
  await page.getByLabel('Phone').fill('555');
  await page.getByLabel('Postal code').fill('K1A 0B1');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('A phone number has 10 to 15 digits')).toBeVisible();
  await expect(page.getByText('A ZIP code has 5 digits')).toBeVisible();
  await expect(page.getByLabel('City')).toHaveValue('San Francisco');
  await expect(page.getByLabel('Phone')).toHaveValue('555');
});

test('a signed-out browser cannot open a later step by its address', async ({ page }) => {
  await page.goto('/pay/northwind/invoices');
  await expect(page).toHaveURL(/\/pay\/northwind$/);
  await expect(page.getByLabel('Email address')).toBeVisible();
});

test('the merchant’s colour stays on every step, with no content-security errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto('/pay/maple-wholesale');
  const red = 'rgb(185, 28, 28)';
  await expect(page.getByRole('button', { name: 'Continue' })).toHaveCSS('background-color', red);
  await page.getByLabel('Email address').fill(`colour-${Date.now()}@laurentian.example`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify' })).toHaveCSS('background-color', red);
  expect(errors).toEqual([]);
});
