import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { issueOneTimeToken } from '../../server/domain/auth/one-time-tokens';
import { chromiumAvailability, launchBrowser, screenshotsIn } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-layout';
const shot = screenshotsIn(ARTIFACTS);

/** How wide the page is laid out: more than the viewport means the page itself scrolls sideways. */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe.skipIf(!browser.available)('SPEC §7 screens at phone width, and the API keys tab', () => {
  it('at 360 px Sign out stays on screen and the keys table scrolls in its box; key badges say active once and revoked, never banned', async () => {
    const { app, url } = await startFullStack();
    const ws = await signUp(app, { companyName: 'Narrow Screens Ltd' });
    await app.database.owner('seat_pools').where({ tenantId: ws.tenant.id, seatType: 'api' }).update({ included: 1 });
    const person = await ws.owner.users.create({ kind: 'standard', email: `bea@${ws.input.slug}.test`, firstName: 'Bea', lastName: 'Tester' });
    const api = await ws.owner.users.create({ kind: 'api', email: `sync@${ws.input.slug}.test`, firstName: 'HR', lastName: 'Sync' });
    await ws.owner.apiKeys.create({ userId: api.id, name: 'Live sync' });
    const old = await ws.owner.apiKeys.create({ userId: api.id, name: 'Old sync' });
    await ws.owner.apiKeys.revoke({ id: old.id });

    const context = await launchBrowser();
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 800 });

    // Every page's width at 360 px is checked by every-page.test.ts; here, what only this page shows.
    await page.goto(`${url}/login?workspace=${ws.tenant.slug}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/dashboard`);
    // Sign out stays on screen.
    const signOut = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
    expect(signOut.x + signOut.width).toBeLessThanOrEqual(360);

    await page.goto(`${url}/users`);
    await shot(page, 'users-360');
    await page.goto(`${url}/users/${person.id}`);
    await shot(page, 'user-detail-360');

    await page.goto(`${url}/users/${api.id}?tab=keys`);
    await shot(page, 'user-keys-360');
    // The table scrolls inside its box to the Status column, the page stays put.
    await page.locator('.table-scroll').evaluate((box) => box.scrollTo({ left: box.scrollWidth }));
    await shot(page, 'user-keys-360-scrolled');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    const statusOf = (name: string) => page.locator('tbody tr', { hasText: name }).locator('td').nth(5);
    expect((await statusOf('Live sync').innerText()).trim()).toBe('active');
    expect((await statusOf('Old sync').innerText()).trim()).toBe('revoked');
    expect(await page.locator('tbody').innerText()).not.toMatch(/banned/i);
    expect(await statusOf('Live sync').locator('.badge').count()).toBe(1);
    expect(await statusOf('Old sync').locator('.badge.key-revoked').count()).toBe(1);

    // The workspace's own table scrolls inside its wrapper, the page does not.
    await page.goto(`${url}/users`);
    expect(await page.locator('.table-scroll table').count()).toBeGreaterThan(0);

    const wide = await (await launchBrowser()).newPage();
    await wide.setViewportSize({ width: 1280, height: 900 });
    await wide.goto(`${url}/signup`);
    const card = (await wide.locator('main.narrow').boundingBox())!;
    const inputs = wide.locator('main.narrow input:not([type=hidden])');
    expect(await inputs.count()).toBeGreaterThan(4);
    for (const input of await inputs.all()) {
      const box = (await input.boundingBox())!;
      const name = await input.getAttribute('name');
      expect({ name, right: box.x + box.width <= card.x + card.width }).toEqual({ name, right: true });
    }
    await shot(wide, 'signup-1280');
  });

  it('the invitation form shows every error at once, and a used or bogus link says so when it opens', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const ws = await signUp(app, { companyName: 'Invites Ltd' });
    const ivy = await ws.owner.users.create({ kind: 'standard', email: `ivy@${ws.input.slug}.test`, firstName: 'Ivy', lastName: 'Invited' });
    // The worker mails Ivy her own invitation, which replaces any earlier link: wait for it, then take a link the test knows.
    await expect.poll(async () => (await app.database.owner('one_time_tokens').where({ userId: ivy.id, purpose: 'invitation' })).length).toBe(1);
    const token = await app.database.owner.transaction((trx) => issueOneTimeToken({ trx, tenantId: ws.tenant.id, userId: ivy.id, purpose: 'invitation', now: app.clock.now() }));
    const context = await launchBrowser();
    const page = await context.newPage();
    // The page says whom the invitation is for, and checking the link uses nothing up.
    expect((await page.goto(`${url}/invite/${token}`))?.status()).toBe(200);
    expect(await page.locator('main').innerText()).toContain(`You are invited to Invites Ltd as ivy@${ws.input.slug}.test.`);
    await page.getByLabel(/^Password/).fill('short');
    await page.getByLabel('Repeat the password').fill('different');
    await page.getByLabel('Repeat the password').blur();
    await page.getByRole('button', { name: 'Accept and sign in' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Use at least 12 characters');
    await expect.poll(() => page.locator('main').innerText()).toContain('The two passwords do not match.');

    // Without JavaScript's check, the server says the same.
    const noJs = await (await launchBrowser()).newPage();
    await noJs.route('**/*.js', (route) => route.abort());
    await noJs.goto(`${url}/invite/${token}`);
    await noJs.getByLabel(/^Password/).fill('short');
    await noJs.getByLabel('Repeat the password').fill('different');
    await noJs.getByRole('button', { name: 'Accept and sign in' }).click();
    await noJs.waitForLoadState('load');
    const text = await noJs.locator('main').innerText();
    expect(text).toContain('Use at least 12 characters');
    expect(text).toContain('The two passwords do not match.');

    // Accepted, the link is used: opened again, like a bogus one, it says so with no form (410, or 404 for what cannot be a link).
    await page.getByLabel(/^Password/).fill('a good long password');
    await page.getByLabel('Repeat the password').fill('a good long password');
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Accept and sign in' }).click()]);
    await context.clearCookies();
    for (const [link, status] of [[token, 410], ['x'.repeat(43), 410], ['bogus', 404]] as const) {
      expect((await page.goto(`${url}/invite/${link}`))?.status()).toBe(status);
      expect(await page.getByRole('alert').textContent()).toMatch(/^This invitation link is not valid/);
      // A dead link offers no form to fill in, only the way out.
      expect(await page.getByLabel(/^Password/).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    }
    await shot(page, 'invite-bogus');
  });
});
