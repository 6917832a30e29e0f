import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);

describe.skipIf(!browser.available)('signing in and recovering a password in Chromium', () => {
  it('signs in and out, then resets a forgotten password from the emailed link', async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { email: 'diana@themyscira.test', password: 'lasso of truth 1941' });
    const context = await launchBrowser();
    const page = await context.newPage();

    await page.goto(`${url}/dashboard`);
    await page.waitForURL(/\/login\?redirectTo=%2Fdashboard$/);
    await page.getByLabel('Workspace').fill(tenant.slug);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Invalid email or password.');

    await page.getByLabel('Password').fill(input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/dashboard`);
    expect(await page.getByTestId('seats-User').textContent()).toBe('1 of 3 used');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/login`);
    await page.goto(`${url}/dashboard`);
    await page.waitForURL(/\/login/);

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // A client-side navigation: fill the new page's fields, not the old page's.
    await page.waitForURL(`${url}/forgot-password`);
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Workspace').fill(tenant.slug);
    await page.getByLabel('Email').fill(input.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('we have sent it a link');

    let link = '';
    await expect
      .poll(
        async () => {
          await page.goto(`${url}/dev/mailbox`);
          const mail = page.locator('.mail', { hasText: 'Reset your Seatwise password' });
          if (!(await mail.count())) return '';
          link = (await mail.first().locator('a').first().getAttribute('href')) ?? '';
          return link;
        },
        { timeout: 15_000 },
      )
      .toMatch(/\/reset-password\/[A-Za-z0-9_-]{43}$/);

    await page.goto(link);
    await page.getByLabel(/^New password/).fill('a whole new password');
    await page.getByLabel('Repeat the new password').fill('a whole new password');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(`${url}/dashboard`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(tenant.name);

    // The link was single-use: opened again, it says so at once (410), with no form to fill in.
    expect((await page.goto(link))?.status()).toBe(410);
    expect(await page.getByRole('alert').textContent()).toBe('This password reset link has expired or has already been used. Request a new one.');
    expect(await page.getByLabel(/^New password/).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Request a new link' }).count()).toBe(1);
  }, 120_000);
});
