import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-profile';
const shot = screenshotsIn(ARTIFACTS);

describe.skipIf(!browser.available)('the profile page without JavaScript', () => {
  it('saves names and a time zone chosen from the IANA list, keeps them after a reload, and refuses a blank first name', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant, user } = await signUp(app, { companyName: 'Profile Ltd' });
    const page = await (await launchBrowser({ javaScript: false })).newPage();

    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');
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
    const saved = await submitForm(page, 'Save profile');
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

    // SPEC "Users" and issue #18: the audit log in her own zone and locale, filtered by her name typed in.
    await page.goto(`${url}/audit`);
    await page.getByLabel('Actor').fill('augusta');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Filter' }).click()]);
    expect(new URL(page.url()).searchParams.get('actor')).toBe('augusta');
    const events = page.locator('tbody tr');
    expect(await events.count()).toBeGreaterThan(0);
    expect(await events.first().textContent()).toContain('Augusta Lovelace');
    const when = events.first().locator('time');
    expect(Date.parse((await when.getAttribute('datetime'))!)).toBeGreaterThan(0);
    expect((await when.textContent())!.replace(/\s/g, ' ')).toMatch(/^\d{1,2} [a-zéû]+\.? \d{4}, \d{1,2}:\d{2} UTC\+[12]$/);
    await page.getByLabel('Actor').fill('nobody at all');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Filter' }).click()]);
    expect(await page.getByTestId('actor-matches').textContent()).toBe('Actor: nobody in this workspace matches “nobody at all”.');
    await page.goto(`${url}/profile`);

    await page.getByLabel('First name').fill('');
    await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
    const refused = await submitForm(page, 'Save profile');
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
