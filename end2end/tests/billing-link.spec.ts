import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { jsEnabled, watchForErrors } from './wizard';

test('the billing link shows its merchant, rendered by the server', async ({ page }) => {
  const errors = watchForErrors(page);
  const response = await page.goto('/pay/northwind');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Your email address · Pay Northwind IT Services · Portico');
  await expect(page.getByRole('heading', { level: 1, name: 'Pay Northwind IT Services' })).toBeVisible();
  await expect(page.getByLabel('Billing link')).toHaveValue(/\/pay\/northwind$/);
  await expect(page.getByRole('link', { name: 'billing@northwind.example' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('the page’s files have content-addressed names that browsers keep for good', async ({ page }, info) => {
  const files: { url: string; cacheControl: string | undefined; encoding: string | undefined }[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      const headers = response.headers();
      files.push({ url: response.url(), cacheControl: headers['cache-control'], encoding: headers['content-encoding'] });
    }
  });
  await page.goto('/pay/northwind');
  await page.waitForLoadState('networkidle');
  const names = files.map((file) => new URL(file.url).pathname);
  // Without JavaScript the browser fetches the stylesheet alone.
  for (const extension of jsEnabled(info) ? ['css', 'js', 'wasm'] : ['css']) {
    expect(names.some((name) => new RegExp(`^/pkg/portico\\.[A-Za-z0-9_-]{22}\\.${extension}$`).test(name)), `${extension} in ${names}`).toBe(true);
  }
  for (const file of files) {
    expect(file.cacheControl, file.url).toBe('public, max-age=31536000, immutable');
    expect(file.encoding, file.url).toBe('br');
  }
});

test('once hydrated, Copy link puts the billing link on the clipboard', async ({ page }, info) => {
  test.skip(!jsEnabled(info), 'copying needs JavaScript');
  const errors = watchForErrors(page);
  await page.goto('/pay/northwind');
  // The button exists only after the WASM has hydrated the page.
  const copy = page.getByRole('button', { name: 'Copy link' });
  await expect(copy).toBeVisible();
  await copy.click();
  await expect(page.getByRole('status')).toHaveText('Link copied to the clipboard.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\/northwind$/);
  expect(errors).toEqual([]);
});

test('Copy link works from the keyboard, with a visible focus ring', async ({ page }, info) => {
  test.skip(!jsEnabled(info), 'copying needs JavaScript');
  await page.goto('/pay/northwind');
  const copy = page.getByRole('button', { name: 'Copy link' });
  await expect(copy).toBeVisible();
  await page.getByLabel('Billing link').focus();
  await page.keyboard.press('Tab');
  await expect(copy).toBeFocused();
  const outline = await copy.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText('Link copied to the clipboard.');
});

test('without JavaScript the link is there to copy by hand, and no dead button', async ({ page }, info) => {
  test.skip(jsEnabled(info), 'this is the no-JavaScript view');
  await page.goto('/pay/northwind');
  await expect(page.getByLabel('Billing link')).toHaveValue(/\/pay\/northwind$/);
  await expect(page.getByRole('button', { name: 'Copy link' })).toHaveCount(0);
});

test('an unknown billing link says so and what to do', async ({ page }) => {
  const response = await page.goto('/pay/no-such-merchant');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'There is no billing link at this address' })).toBeVisible();
  await expect(page.getByText('Check the link in your invoice email')).toBeVisible();
});

test('the page fits the screen without sideways scrolling', async ({ page }) => {
  await page.goto('/pay/northwind');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});

for (const path of ['/', '/pay/northwind', '/pay/no-such-merchant']) {
  test(`axe finds no accessibility violations on ${path}`, async ({ page }, info) => {
    // axe runs as a script in the page; the markup without JavaScript is the same HTML.
    test.skip(!jsEnabled(info), 'axe needs JavaScript in the page');
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations).toEqual([]);
  });
}
