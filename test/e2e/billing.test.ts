import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);

describe.skipIf(!browser.available)('buying seats in Chromium (Stripe emulator)', () => {
  it('the Owner buys 5 Client User seats, sees them within seconds, and creates the client user refused before', async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Buyer Co' });
    const page = await (await launchBrowser()).newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/dashboard`);

    const createClient = async () => {
      await page.goto(`${url}/users/new`);
      await page.locator('select[name=kind]').selectOption('client');
      await page.getByLabel('First name').fill('Cleo');
      await page.getByLabel('Last name').fill('Client');
      await page.getByLabel('Email').fill('cleo@client.test');
      await page.getByRole('button', { name: 'Create user' }).click();
    };
    await createClient();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(
      "You don't have any Purchased Client User, You need to buy more client users to create this user",
    );

    await page.goto(`${url}/billing`);
    expect(await page.locator('.banner').textContent()).toContain('Test mode: no real payments');
    await page.locator('select[name=seatType]').selectOption('client');
    await page.getByLabel('Quantity').fill('5');
    await expect.poll(() => page.locator('form', { hasText: 'Buy seats' }).textContent()).toContain('$30.00');
    await page.getByRole('button', { name: 'Continue to checkout' }).click();
    await page.waitForURL(/\/checkout\/cs_test_/);
    expect(await page.textContent('body')).toContain('5 × Client User seat');
    await page.getByRole('button', { name: 'Pay and subscribe' }).click();
    await page.waitForURL(/\/billing\?checkout=success/);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('5 Client User seats are now active');
    expect(await page.getByTestId('seats-Client User').textContent()).toBe('0 of 5 used');
    mkdirSync('test-results/e2e-billing', { recursive: true });
    await page.screenshot({ path: 'test-results/e2e-billing/seats-active.png', fullPage: true });

    await createClient();
    await page.waitForURL(/\?created=1$/);
    expect((await app.database.owner('users').where({ email: 'cleo@client.test' }).first())?.kind).toBe('client');
  }, 120_000);
});
