import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { insertUser } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const shot = screenshotsIn('test-results/e2e-journey-without-javascript');

const NO_CLIENT_SEATS = "You don't have any Purchased Client User, You need to buy more client users to create this user";

/**
 * Issue #18's Done-when: the whole journey in Chromium with JavaScript disabled, plain forms and
 * redirects only: sign up, sign in, create a user, hit the seat limit and follow the buy button
 * through Checkout and back, change a status, save settings.
 */
describe.skipIf(!browser.available)('the journey without JavaScript', () => {
  it('signs up, signs in, creates users, buys the missing seat from the refusal and comes back to the form, changes a status, saves settings', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const db = app.database.owner;
    const page = await (await launchBrowser({ javaScript: false })).newPage();

    // Sign up, sign out, sign in.
    await page.goto(`${url}/signup`);
    await page.getByLabel('Company name').fill('Plain Forms Ltd');
    await page.getByLabel(/Workspace address/).fill('plain-forms');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('Work email').fill('ada@plain.test');
    await page.getByLabel(/^Password/).fill('analytical engine notes');
    expect((await submitForm(page, 'Create workspace')).status()).toBe(302);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await submitForm(page, 'Sign out');
    await page.goto(`${url}/login?workspace=plain-forms`);
    await page.getByLabel('Email').fill('ada@plain.test');
    await page.getByLabel('Password').fill('analytical engine notes');
    await submitForm(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const tenant = (await db('tenants').where({ slug: 'plain-forms' }).first())!;

    // A user of a kind with free seats.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'New user' }).click();
    expect(new URL(page.url()).pathname).toBe('/users/new');
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Email').fill('grace@plain.test');
    expect((await submitForm(page, 'Create user')).status()).toBe(302);
    expect(page.url()).toMatch(/\/users\/[0-9a-f-]{36}\?created=1$/);

    // The form says up front which kinds have no free seat, before anything is typed.
    await page.goto(`${url}/users/new`);
    const full = page.getByRole('list', { name: 'Kinds without free seats' });
    expect(await full.locator('li').allTextContents()).toEqual(['No free Client User seats — buy more', 'No free API User seats — buy more']);

    // A client user: refused with the SPEC's message and a button for exactly the missing seat.
    await page.locator('select[name=kind]').selectOption('client');
    await page.getByLabel('First name').fill('Cleo');
    await page.getByLabel('Last name').fill('Client');
    await page.getByLabel('Email').fill('cleo@client.test');
    expect((await submitForm(page, 'Create user')).status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toBe(NO_CLIENT_SEATS);
    await shot(page, '1-seat-refusal');
    expect(await db('users').where({ email: 'cleo@client.test' }).first()).toBeUndefined();

    await Promise.all([page.waitForURL(/\/checkout\/cs_test_/), page.getByRole('button', { name: 'Buy 1 more Client User seat' }).click()]);
    expect(await page.textContent('body')).toContain('1 × Client User seat');
    await shot(page, '2-checkout');
    // Paid: the billing page waits (refreshing itself) for the seat to be live, then goes back to the form.
    await page.getByRole('button', { name: 'Pay and subscribe' }).click();
    await page.waitForURL((u) => u.pathname === '/users/new' && u.searchParams.get('seatsAdded') === '1', { timeout: 20_000 });
    expect(await page.getByRole('status').textContent()).toBe('1 Client User seat was added. You can go on where you left off.');
    // What was typed before Checkout is still there.
    expect(await page.locator('select[name=kind]').inputValue()).toBe('client');
    expect(await page.getByLabel('First name').inputValue()).toBe('Cleo');
    expect(await page.getByLabel('Email').inputValue()).toBe('cleo@client.test');
    expect(await page.getByRole('list', { name: 'Kinds without free seats' }).locator('li').allTextContents()).toEqual(['No free API User seats — buy more']);
    await shot(page, '3-back-from-checkout');
    expect((await submitForm(page, 'Create user')).status()).toBe(302);
    const cleo = (await db('users').where({ tenantId: tenant.id, email: 'cleo@client.test' }).first())!;
    expect(cleo).toMatchObject({ kind: 'client', status: 'invited' });
    expect(new URL(page.url()).pathname).toBe(`/users/${cleo.id}`);

    // A status change.
    await page.getByRole('link', { name: 'Status', exact: true }).click();
    await page.getByRole('link', { name: 'Deactivate', exact: true }).click();
    await page.getByLabel(/Reason/).fill('Project ended');
    expect((await submitForm(page, 'Confirm')).status()).toBe(302);
    expect(await page.locator('h1 .badge').textContent()).toBe('deactivated');
    expect((await db('users').where({ id: cleo.id }).first())!.status).toBe('deactivated');

    // Settings.
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Deactivate users inactive for (days)').fill('30');
    expect((await submitForm(page, 'Save settings')).status()).toBe(302);
    expect(await page.locator('.notice').textContent()).toBe('Saved.');
    expect((await db('tenants').where({ id: tenant.id }).first())!.inactivityDays).toBe(30);
    await shot(page, '4-settings-saved');

    // Over the limit (a subscription ended, say): Users and Billing say so and link to who holds the seats.
    await db('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: 1 });
    for (const path of ['/users', '/billing']) {
      await page.goto(`${url}${path}`);
      expect(await page.getByTestId('over-limit-standard').textContent(), path).toContain('You are over your User seat limit by 1: deactivate 1 user or buy more seats.');
    }
    await shot(page, '5-billing-over-limit');
    await page.getByRole('link', { name: 'See who holds User seats' }).click();
    expect(await page.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(expect.arrayContaining(['ada@plain.test', 'grace@plain.test']));

    // A reactivation refused for want of a seat offers it too, to come back to the same confirmation; at 360 px.
    await db('seat_pools').where({ tenantId: tenant.id, seatType: 'client' }).update({ subscribed: 0 });
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${url}/users/${cleo.id}?tab=status&to=active`);
    expect((await submitForm(page, 'Confirm')).status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toBe("You don't have any Purchased Client User, You need to buy more client users to reactivate this user");
    const buy = page.locator('form', { has: page.getByRole('button', { name: 'Buy 1 more Client User seat' }) });
    expect(await buy.getAttribute('action')).toBe('/billing');
    expect(await buy.locator('input[name=returnTo]').getAttribute('value')).toBe(`/users/${cleo.id}?tab=status&to=active`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, '6-reactivation-refused-360px');
    expect((await db('users').where({ id: cleo.id }).first())!.status).toBe('deactivated');

    // An Admin (no billing.manage) is told who can buy, and offered no button that would only be refused.
    await insertUser(app, tenant.id, { email: 'root@plain.test', roleKey: 'admin', password: 'admin password here' });
    await submitForm(page, 'Sign out');
    await page.goto(`${url}/login?workspace=plain-forms`);
    await page.getByLabel('Email').fill('root@plain.test');
    await page.getByLabel('Password').fill('admin password here');
    await submitForm(page, 'Sign in');
    await page.goto(`${url}/users/${cleo.id}?tab=status&to=active`);
    expect((await submitForm(page, 'Confirm')).status()).toBe(403);
    expect(await page.locator('.seat-refusal-fix').textContent()).toBe('Ask an Owner or billing admin to buy 1 more Client User seat.');
    expect(await page.getByRole('button', { name: /^Buy/ }).count()).toBe(0);
    await page.goto(`${url}/users`);
    expect(await page.getByTestId('over-limit-standard').textContent()).toContain('See who holds User seats · Ask an Owner or billing admin to buy more.');
    expect(await page.getByRole('link', { name: /^Buy/ }).count()).toBe(0);
  });
});
