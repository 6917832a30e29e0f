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
const ARTIFACTS = 'test-results/e2e-profile';

/** Debian's Chromium with JavaScript off: the profile form is a plain POST. */
async function launchWithoutJavaScript() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-chromium-profile-'));
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

describe.skipIf(!browser.available)('the profile page without JavaScript', () => {
  it('saves names and a time zone chosen from the IANA list, keeps them after a reload, and refuses a blank first name', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant, user } = await signUp(app, { companyName: 'Profile Ltd' });
    const page = await (await launchWithoutJavaScript()).newPage();

    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await post(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');

    await page.getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL(`${url}/profile`);
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
    expect(await page.getByLabel('Locale').inputValue()).toBe('en');
    // The IANA list, not a text box.
    expect(await page.locator('select[name="timeZone"] option').count()).toBe(Intl.supportedValuesOf('timeZone').length + 1);
    expect(await page.getByRole('link', { name: 'Change your password' }).getAttribute('href')).toBe('/change-password');

    await page.getByLabel('First name').fill('Augusta');
    await page.getByLabel('Time zone').selectOption('Europe/Paris');
    await page.getByLabel('Locale').selectOption('fr');
    const saved = await post(page, 'Save profile');
    expect(saved.status()).toBe(302);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/profile?saved=1');
    expect(await page.getByRole('status').textContent()).toBe('Profile saved.');
    await shot(page, 'profile');

    await page.goto(`${url}/profile`);
    expect(await page.getByLabel('First name').inputValue()).toBe('Augusta');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    expect(await page.getByLabel('Locale').inputValue()).toBe('fr');
    expect(await page.locator('.who').textContent()).toContain('Augusta Lovelace');
    const stored = (await app.database.owner('users').where({ id: user.id }).first())!;
    expect(stored).toMatchObject({ firstName: 'Augusta', displayName: 'Augusta Lovelace', timeZone: 'Europe/Paris', locale: 'fr' });

    await page.getByLabel('First name').fill('');
    await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
    const refused = await post(page, 'Save profile');
    expect(refused.status()).toBe(400);
    expect(await page.locator('#firstName-error').textContent()).toBe('Required');
    expect(await page.getByLabel('First name').getAttribute('aria-invalid')).toBe('true');
    // What was posted is kept for the next try (the cleared name stays blank); nothing was saved.
    expect(await page.getByLabel('First name').inputValue()).toBe('');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Tokyo');
    expect(await page.getByRole('status').count()).toBe(0);
    await shot(page, 'profile-required');
    expect((await app.database.owner('users').where({ id: user.id }).first())!).toMatchObject({ firstName: 'Augusta', timeZone: 'Europe/Paris' });
  });
});
