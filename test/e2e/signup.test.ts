import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser } from '../helpers/browser';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);

describe.skipIf(!browser.available)('sign-up in Chromium', () => {
  it('creates a workspace, lands on the dashboard with the seat cards, and the welcome email arrives', async () => {
    const { app, url } = await startFullStack();
    const context = await launchBrowser();
    const page = await context.newPage();

    await page.goto(`${url}/signup`);
    await page.getByLabel('Company name').fill('Wayne Enterprises');
    // The address is suggested from the company name as one types.
    await expect.poll(() => page.getByLabel(/Workspace address/).inputValue()).toBe('wayne-enterprises');
    await page.getByLabel('First name').fill('Bruce');
    await page.getByLabel('Last name').fill('Wayne');
    await page.getByLabel('Work email').fill('bruce@wayne.test');
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    // The server refuses the short password and says so next to the field; nothing was created.
    await expect.poll(() => page.locator('#password-error').textContent()).toBe('Use at least 12 characters');
    expect(await app.database.owner('tenants').count({ n: '*' })).toEqual([{ n: '0' }]);

    await page.getByLabel(/^Password/).fill('i am batman, really');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL(`${url}/dashboard`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Wayne Enterprises');
    expect(await page.getByTestId('seats-User').textContent()).toBe('1 of 3 used');
    expect(await page.getByTestId('seats-Client User').textContent()).toBe('0 of 0 used');
    expect(await page.getByTestId('seats-API User').textContent()).toBe('0 of 0 used');

    // No SMTP_URL: the worker delivers to the development mailbox.
    await expect
      .poll(async () => {
        await page.goto(`${url}/dev/mailbox`);
        return page.locator('.mail h2').allTextContents();
      }, { timeout: 15_000 })
      .toContain('Welcome to Seatwise, Bruce');
  }, 120_000);
});
