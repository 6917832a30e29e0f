import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-login-history';
const shot = screenshotsIn(ARTIFACTS);

describe.skipIf(!browser.available)('the sign-ins page without JavaScript', () => {
  it('lists attempts with result badges and browsers, unknown emails included, and filters by result', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Signins Ltd' });
    const page = await (await launchBrowser({ javaScript: false })).newPage();

    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill('stranger@example.test');
    await page.getByLabel('Password').fill('a guess at something');
    await submitForm(page, 'Sign in');
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');

    await page.getByRole('link', { name: 'Sign-ins' }).click();
    await page.waitForURL(`${url}/login-history`);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.badge').textContent()).toBe('Signed in');
    expect(await rows.nth(0).textContent()).toContain('Ada Lovelace');
    expect(await rows.nth(0).locator('.user-agent').textContent()).toContain('Chrome');
    expect(await rows.nth(1).locator('.badge').textContent()).toBe('Unknown email');
    expect(await rows.nth(1).textContent()).toContain('stranger@example.test');
    await shot(page, 'sign-ins');

    await page.getByLabel('Result').selectOption('unknown_user');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Filter' }).click()]);
    expect(new URL(page.url()).searchParams.get('result')).toBe('unknown_user');
    expect(await rows.count()).toBe(1);
    expect(await rows.nth(0).textContent()).toContain('stranger@example.test');
  });
});
