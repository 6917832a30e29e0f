import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailability } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';
import { onCleanup } from '../setup/cleanup';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-login-history';

/** Debian's Chromium with JavaScript off: filters are a plain GET. */
async function launchWithoutJavaScript() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-chromium-signins-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return context;
}

async function shot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** Submits with a click and waits for the whole new document. */
async function post(page: Page, button: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('load'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return response;
}

describe.skipIf(!browser.available)('the sign-ins page without JavaScript', () => {
  it('lists attempts with result badges and browsers, unknown emails included, and filters by result', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Signins Ltd' });
    const page = await (await launchWithoutJavaScript()).newPage();

    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill('stranger@example.test');
    await page.getByLabel('Password').fill('a guess at something');
    await post(page, 'Sign in');
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await post(page, 'Sign in');
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
