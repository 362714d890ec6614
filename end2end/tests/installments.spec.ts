import { test, expect, type Page } from '@playwright/test';
import { advanceTestClock, customerWithInvoices, expectNoAxeViolations, ownClient, startPaying } from './wizard';

test.beforeEach(async ({ page }) => {
  await ownClient(page);
});

/**
 * Ticks the agreement and pays the first installment. The test clock is the whole server's,
 * and other tests move it: when it moved between step 8 and the click, the page says the dates
 * were brought up to date, and the customer (like this test) checks them and pays again.
 */
async function agreeAndPayToday(page: Page, label: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    await expect(page.getByRole('heading', { name: 'Review and pay' })).toBeVisible();
    await page.getByLabel(/^I authorize/).check();
    await page.getByRole('button', { name: label, exact: true }).click();
    const outcome = page
      .getByRole('heading', { name: 'Payment complete' })
      .or(page.getByText('The payment dates were brought up to date'));
    await expect(outcome).toBeVisible();
    if (await page.getByRole('heading', { name: 'Payment complete' }).isVisible()) return;
  }
  throw new Error('the schedule kept going out of date');
}

test('a 90-day plan on a phone: the first installment today, the second on the test clock', async ({ page, request }, info) => {
  // Once, on the phone with JavaScript: the test clock is the whole server's, and a second
  // run moving it 35 days beside this one would collect this plan's installments early. (The
  // integration tests play plans out without JavaScript.)
  test.skip(info.project.name !== 'phone', 'the plan is played out on the phone viewport');
  const customer = await customerWithInvoices(request, ['900.00']);
  await startPaying(page, customer.email);
  await page.getByLabel(`Select invoice ${customer.numbers[0]}`).check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByLabel('Pay in installments').check();
  const plans = page.getByRole('group', { name: 'Installment plan' });
  await expect(plans).toBeVisible();
  await expect(plans.getByText('Where the total does not divide evenly').first()).toBeVisible();
  await plans.getByLabel('90 days, 4 payments').check();
  await page.getByRole('group', { name: 'Collect the installments from' }).getByLabel('Charges to a card').check();
  await expectNoAxeViolations(page, info);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Your card' })).toBeVisible();
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel('Name on card').fill('Ana López');
  await page.getByLabel('Postal code').fill('94105');
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('table', { name: 'Installment plan: 90 days, 4 payments' })).toBeVisible();
  await expect(page.getByText(/reminder email 3 days/)).toBeVisible();
  await expectNoAxeViolations(page, info);
  await agreeAndPayToday(page, 'Pay $225.00 today');

  const plan = page.getByRole('table', { name: /Installment plan: 90 days, 4 payments/ });
  await expect(plan).toContainText('(active)');
  await expect(plan.getByRole('cell', { name: 'Collected (this payment)' })).toBeVisible();
  await expect(plan.getByRole('cell', { name: 'Scheduled' }).first()).toBeVisible();
  await expectNoAxeViolations(page, info);
  const receipt = page.url();

  // The second installment falls due about 30 days on (on a business day).
  const advanced = advanceTestClock(35);
  expect(advanced.installments_collected).toBeGreaterThanOrEqual(1);
  await page.goto(receipt);
  await expect(plan).toBeVisible();
  // At least the second: other tests move the same clock too.
  expect(await plan.getByRole('cell', { name: /^Collected/ }).count()).toBeGreaterThanOrEqual(2);

  await page.getByRole('link', { name: 'Back to your invoices' }).click();
  const mine = page.getByRole('region', { name: 'Your installment plans' });
  await expect(mine).toBeVisible();
  // In cents, from the digits shown ("450.00 USD" is 45000): whole numbers, never floats.
  const cents = async (term: string) =>
    Number((await mine.getByRole('definition').nth(term === 'paid' ? 1 : 2).innerText()).replace(/[^0-9]/g, ''));
  expect(await cents('paid')).toBeGreaterThanOrEqual(45000);
  expect((await cents('paid')) + (await cents('left'))).toBe(90000);
  await expect(mine.getByRole('link', { name: 'Change payment method' })).toBeVisible();
  await expect(mine.getByText('Pay off the rest')).toBeVisible();
  await expectNoAxeViolations(page, info);
});
