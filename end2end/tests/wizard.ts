import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';

export const jsEnabled = (info: { project: { use: { javaScriptEnabled?: boolean } } }) =>
  info.project.use.javaScriptEnabled !== false;

/** axe runs as a script in the page, so only where JavaScript runs; the HTML is the same. */
export async function expectNoAxeViolations(page: Page, info: TestInfo) {
  if (!jsEnabled(info)) return;
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

/** Collects console errors and uncaught exceptions: a failed hydration shows up here. */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A fresh customer of the demo merchant with one open invoice, made through the API. */
export async function newCustomer(request: APIRequestContext) {
  const id = randomUUID().slice(0, 8);
  const email = `ap-${id}@globex.example`;
  const headers = { Authorization: `Bearer ${process.env.PORTICO_E2E_API_KEY}` };
  const customer = await request.post('/api/v1/customers', {
    headers,
    data: { name: `Globex ${id} Inc.`, email, country: 'US' },
  });
  expect(customer.status()).toBe(201);
  const customerId = (await customer.json()).id;
  const number = `E2E-${id}`;
  const invoice = await request.post('/api/v1/invoices', {
    headers,
    data: {
      customer_id: customerId,
      number,
      currency: 'USD',
      total: '1250.00',
      issued_on: '2026-11-01',
      due_on: '2027-01-31',
    },
  });
  expect(invoice.status()).toBe(201);
  return { email, name: `Globex ${id} Inc.`, invoiceNumber: number };
}

/** Gives the page a client address of its own for the sign-in rate limits. */
export async function ownClient(page: Page) {
  await page.setExtraHTTPHeaders({ 'x-e2e-client': randomUUID() });
}

/** Outbox files whose code a test has already used, so a later call waits for the next email. */
const messagesRead = new Set<string>();

/**
 * The code in the newest sign-in email to `email` that no earlier call returned. The outbox
 * worker delivers after the page answers, so the previous email may still be the newest one
 * for a moment: its code is spent, and returning it would sign in with a stale code.
 */
export async function codeSentTo(email: string): Promise<string> {
  const outbox = path.join(process.env.PORTICO_E2E_DATA_DIR!, 'outbox');
  for (let attempt = 0; attempt < 100; attempt++) {
    const messages = fs
      .readdirSync(outbox)
      .map((name) => path.join(outbox, name))
      .filter((file) => !messagesRead.has(file) && fs.statSync(file).isFile())
      .map((file) => ({ file, time: fs.statSync(file).mtimeMs, text: fs.readFileSync(file, 'utf8') }))
      .filter(({ text }) => text.includes(`To: ${email}`))
      .sort((a, b) => b.time - a.time);
    const newest = messages[0];
    const match = newest?.text.match(/Your sign-in code [^\n]*: (\d{6})/);
    if (newest && match) {
      messagesRead.add(newest.file);
      return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no new code was sent to ${email}`);
}

/** Steps 1 and 2: asks for a code and types it in, pasted with a space as people do. */
export async function signIn(page: Page, email: string, slug = 'northwind') {
  await page.goto(`/pay/${slug}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  const code = await codeSentTo(email);
  await page.getByLabel('Verification code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.getByRole('button', { name: 'Verify' }).click();
}

/** Step 3's fields, all valid for a US business. */
export async function fillInBusiness(page: Page) {
  await page.getByLabel('Your name').fill('Ana López');
  await page.getByLabel('Phone').fill('+1 415 555 0100');
  await page.getByLabel('Address line 1').fill('1 Market St');
  await page.getByLabel('City').fill('San Francisco');
  await page.getByLabel('State or province').selectOption('CA');
  await page.getByLabel('Postal code').fill('94105');
  await page.getByLabel('Country').selectOption('US');
}

/** A fresh customer of `slug` with one invoice per total, made through the API. */
export async function customerWithInvoices(
  request: APIRequestContext,
  totals: string[],
  { slug = 'northwind', currency = 'USD', country = 'US' } = {},
) {
  const id = randomUUID().slice(0, 8);
  const email = `pay-${id}@initrode.example`;
  const key = slug === 'northwind' ? process.env.PORTICO_E2E_API_KEY : process.env.PORTICO_E2E_MAPLE_API_KEY;
  const headers = { Authorization: `Bearer ${key}` };
  const customer = await request.post('/api/v1/customers', {
    headers,
    data: { name: `Initrode ${id}`, email, country },
  });
  expect(customer.status()).toBe(201);
  const customerId = (await customer.json()).id;
  const numbers: string[] = [];
  for (const [index, total] of totals.entries()) {
    const number = `P-${id}-${index + 1}`;
    const invoice = await request.post('/api/v1/invoices', {
      headers,
      data: { customer_id: customerId, number, currency, total, issued_on: '2026-11-01', due_on: '2027-01-31' },
    });
    expect(invoice.status()).toBe(201);
    numbers.push(number);
  }
  return { email, numbers };
}

/** Runs `portico test-clock advance --days {days}` on the server's database, as an operator would. */
export function advanceTestClock(days: number) {
  const dataDir = process.env.PORTICO_E2E_DATA_DIR!;
  const output = execFileSync(process.env.PORTICO_E2E_BINARY!, ['test-clock', 'advance', '--days', String(days)], {
    env: {
      ...process.env,
      PORTICO_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${path.join(dataDir, 'portico.db')}?mode=rwc`,
      RUST_LOG: 'warn',
    },
  });
  return JSON.parse(output.toString());
}

/** Signs in a new customer, fills in step 3, and opens step 5 from the invoice list. */
export async function startPaying(page: Page, email: string, slug = 'northwind') {
  await signIn(page, email, slug);
  await expect(page.getByRole('heading', { name: 'Your business' })).toBeVisible();
  await fillInBusiness(page);
  if (slug !== 'northwind') {
    await page.getByLabel('State or province').selectOption('BC');
    await page.getByLabel('Postal code').fill('V6B 1A1');
    await page.getByLabel('Country').selectOption('CA');
  }
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Your invoices' })).toBeVisible();
  await page.getByRole('link', { name: 'Choose what to pay' }).click();
  await expect(page.getByRole('heading', { name: 'What to pay' })).toBeVisible();
}

/** Runs the portal's CLI against the server's database, as an operator would; its output. */
export function portico(args: string[]) {
  const dataDir = process.env.PORTICO_E2E_DATA_DIR!;
  return execFileSync(process.env.PORTICO_E2E_BINARY!, args, {
    env: {
      ...process.env,
      PORTICO_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${path.join(dataDir, 'portico.db')}?mode=rwc`,
      PUBLIC_URL: process.env.PORTICO_E2E_BASE_URL!,
      RUST_LOG: 'warn',
    },
  }).toString();
}

/** Signs `email` in at the dashboard with the code emailed to it. */
export async function signInToDashboard(page: Page, email: string) {
  await page.goto('/dashboard');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await page.getByLabel('Verification code').fill(await codeSentTo(email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
}
