import { describe, expect, it } from 'vitest';
import { ADMIN_TRANSITIONS } from '../../server/contract/statuses';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { insertUser, signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-forms-without-javascript';
const shot = screenshotsIn(ARTIFACTS);

describe.skipIf(!browser.available)('forms without JavaScript, validated with the contract', () => {
  it('refuses a bad email next to the field, creates nothing, and offers exactly the status moves of the contract', async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'No Script Ltd' });
    const active = await insertUser(app, tenant.id, { email: 'ada@noscript.test' });
    const page = await (await launchBrowser({ javaScript: false })).newPage();

    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');

    const usersBefore = await app.database.owner('users').where({ tenantId: tenant.id }).count({ n: '*' });
    await page.goto(`${url}/users/new`);
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Email').fill('grace at navy');
    const refused = await submitForm(page, 'Create user');
    expect(refused.status()).toBe(400);
    expect(refused.headers()['content-type']).toContain('text/html');
    // The contract's message (server/contract/fields.ts), in the email field's own label, tied to the input.
    const email = page.locator('label', { has: page.locator('input[name=email]') });
    expect(await email.locator('.field-error').textContent()).toBe('Enter a valid email address');
    expect(await page.locator('input[name=email]').getAttribute('aria-describedby')).toBe('email-error');
    expect(await page.locator('input[name=email]').getAttribute('aria-invalid')).toBe('true');
    // What was typed is kept; only the wrong field carries a message.
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
    expect(await page.getByLabel('Email').inputValue()).toBe('grace at navy');
    expect(await page.locator('.field-error').count()).toBe(1);
    await shot(page, '1-new-user-bad-email');
    expect(await app.database.owner('users').where({ tenantId: tenant.id }).count({ n: '*' })).toEqual(usersBefore);
    expect(await app.database.owner('users').where({ firstName: 'Grace' }).first()).toBeUndefined();

    // The status buttons are the contract's transitions for an active user, in its order and words.
    await page.goto(`${url}/users/${active.id}?tab=status`);
    const buttons = page.locator('.panel .actions a.button');
    expect(await buttons.allTextContents()).toEqual(ADMIN_TRANSITIONS.active.map((t) => t.label));
    expect(await buttons.allTextContents()).toEqual(['Suspend', 'Deactivate', 'Ban']);
    const targets = [];
    for (const link of await buttons.all()) targets.push(new URL((await link.getAttribute('href')) ?? '', url).searchParams.get('to'));
    expect(targets).toEqual(ADMIN_TRANSITIONS.active.map((t) => t.to));
    await shot(page, '2-user-status-buttons');

    // And the confirmation posts without JavaScript too; the page then offers the suspended user's moves.
    await page.getByRole('link', { name: 'Suspend' }).click();
    await page.getByLabel(/Reason/).fill('On leave');
    const moved = await submitForm(page, 'Confirm');
    expect(moved.status()).toBe(302);
    expect(await page.locator('h1 .badge').textContent()).toBe('suspended');
    expect(await buttons.allTextContents()).toEqual(ADMIN_TRANSITIONS.suspended.map((t) => t.label));
    expect((await app.database.owner('users').where({ id: active.id }).first())?.status).toBe('suspended');
    await shot(page, '3-user-suspended');
  }, 120_000);
});
