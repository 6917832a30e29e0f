import { describe, expect, it } from 'vitest';
import { ADMIN_TRANSITIONS, STATUSES } from '../../server/contract/statuses';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { insertUser, signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-dashboard-roles';
const shot = screenshotsIn(ARTIFACTS);

describe.skipIf(!browser.available)('dashboard as a home page, roles in plain words, user tabs by kind (JavaScript off)', () => {
  it('shows the sign-in address, counts by status, the actions and an amber bar; roles read-only with counts and one edit form', async () => {
    const { app, url } = await startFullStack();
    const ws = await signUp(app, { companyName: 'Home Page Ltd' });
    const tenantId = ws.tenant.id;
    const slug = ws.tenant.slug;
    const db = app.database.owner;

    // User seats: the Owner and a locked person hold 2 of 3; a deactivated and a banned one hold none.
    const locked = await insertUser(app, tenantId, { email: `locked@${slug}.test`, status: 'locked' });
    await insertUser(app, tenantId, { email: `gone@${slug}.test`, status: 'deactivated' });
    await insertUser(app, tenantId, { email: `banned@${slug}.test`, status: 'banned' });
    // Client seats: 9 of 10, exactly 90 %.
    await db('seat_pools').where({ tenantId, seatType: 'client' }).update({ included: 10 });
    const clientStatuses = ['active', 'active', 'active', 'active', 'active', 'active', 'invited', 'invited', 'suspended'] as const;
    for (const [i, status] of clientStatuses.entries()) await insertUser(app, tenantId, { email: `client${i}@${slug}.test`, kind: 'client', status });
    // API seats: 2 active API users on 1 seat, over the limit.
    await db('seat_pools').where({ tenantId, seatType: 'api' }).update({ included: 1 });
    const api = await insertUser(app, tenantId, { email: `sync@${slug}.test`, kind: 'api' });
    await insertUser(app, tenantId, { email: `sync2@${slug}.test`, kind: 'api' });
    const expected = { active: 1 + 6 + 2, invited: 2, suspended: 1, locked: 1, deactivated: 1, banned: 1 };

    const page = await (await launchBrowser({ javaScript: false })).newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${url}/login?workspace=${slug}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await submitForm(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');

    // The workspace's sign-in address, on this server's origin.
    const address = page.getByTestId('sign-in-address');
    expect((await address.innerText()).trim()).toBe(`${url}/login?workspace=${slug}`);
    expect(await address.getAttribute('href')).toContain(`?workspace=${slug}`);

    // Users by status, summed over the seat types, each a link to the filtered list.
    for (const status of STATUSES) {
      const link = page.getByTestId(`status-count-${status}`);
      expect({ status, n: await link.locator('.n').innerText() }).toEqual({ status, n: String(expected[status]) });
      expect(await link.getAttribute('href')).toBe(`/users?status=${status}`);
    }

    // The Owner holds users.manage and billing.manage: both actions.
    expect(await page.getByRole('link', { name: 'Invite user' }).getAttribute('href')).toBe('/users/new');
    expect(await page.getByRole('link', { name: 'Buy seats' }).getAttribute('href')).toBe('/billing');

    // Bars: brand below 90 %, amber at 90 %, red over the limit.
    const bar = (label: string) => page.getByRole('progressbar', { name: `${label} seats used`, exact: true });
    expect(await bar('User').getAttribute('class')).toBe('bar');
    expect(await bar('Client User').getAttribute('class')).toBe('bar warn');
    expect(await bar('API User').getAttribute('class')).toBe('bar over');
    expect(await page.getByTestId('seats-Client User').textContent()).toBe('9 of 10 used');
    const amber = await bar('Client User').locator('span').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(amber).toBe('rgb(245, 158, 11)');
    // The seat-history chart stays.
    expect(await page.locator('.seat-history-section, section.seat-history, article.seat-history').count()).toBeGreaterThan(0);
    await shot(page, 'dashboard');

    // A count's link opens the filtered users list.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('status-count-suspended').click()]);
    expect(new URL(page.url()).search).toBe('?status=suspended');

    // Roles: read-only rows with permissions in plain words and how many users hold each.
    await page.goto(`${url}/roles`);
    const row = (name: string) => page.locator(`tr[data-role="${name}"]`);
    for (const name of ['Owner', 'Admin', 'Member', 'Read Only', 'Client', 'Integration']) expect(await row(name).count()).toBe(1);
    expect(await row('Owner').locator('.permission-list li').allInnerTexts()).toContain('See users and seats');
    expect(await row('Owner').innerText()).not.toContain('users.read');
    expect(await row('Admin').locator('.permission-list li').allInnerTexts()).not.toContain('Buy seats and manage billing');
    expect(await row('Member').innerText()).toContain('No administrative permissions');
    const owners = row('Owner').getByRole('link', { name: /with the Owner role/ });
    expect((await owners.innerText()).trim()).toBe('1 user');
    const ownerRole = (await db('roles').where({ tenantId, key: 'owner' }).first('id'))!;
    expect(await owners.getAttribute('href')).toBe(`/users?roleId=${ownerRole.id}`);
    expect((await row('Member').getByRole('link', { name: /with the Member role/ }).innerText()).trim()).toBe('3 users');
    expect((await row('Client').getByRole('link', { name: /with the Client role/ }).innerText()).trim()).toBe('9 users');
    expect((await row('Integration').getByRole('link', { name: /with the Integration role/ }).innerText()).trim()).toBe('2 users');
    // Read-only: no edit form until one is asked for; the Owner role has no Edit link; the create form stays.
    expect(await page.locator('form input[name="intent"][value="update"]').count()).toBe(0);
    expect(await row('Owner').getByRole('link', { name: /^Edit/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create role' }).count()).toBe(1);
    await shot(page, 'roles');

    // Edit opens that role's form, and only that one; it saves without JavaScript.
    await Promise.all([page.waitForEvent('load'), row('Admin').getByRole('link', { name: 'Edit Admin' }).click()]);
    const adminRole = (await db('roles').where({ tenantId, key: 'admin' }).first('id'))!;
    expect(new URL(page.url()).search).toBe(`?edit=${adminRole.id}`);
    expect(await page.locator('form input[name="intent"][value="update"]').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Edit Admin' }).count()).toBe(1);
    const audit = page.locator('form.role-edit').getByLabel(/Read the audit log/);
    expect(await audit.isChecked()).toBe(true);
    await shot(page, 'roles-edit');
    await audit.uncheck();
    const saved = await submitForm(page, 'Save Admin');
    expect(saved.status()).toBe(302);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/roles');
    expect(await row('Admin').locator('.permission-list li').allInnerTexts()).not.toContain('Read the audit log');
    expect(await page.locator('form input[name="intent"][value="update"]').count()).toBe(0);

    // Tabs that do not apply to a kind are hidden.
    const tabs = () => page.locator('nav.tabs a').allInnerTexts();
    await page.goto(`${url}/users/${api.id}`);
    expect(await tabs()).toContain('API keys');
    expect(await tabs()).not.toContain('Login history');
    await page.goto(`${url}/users/${locked.id}`);
    expect(await tabs()).toContain('Login history');
    expect(await tabs()).not.toContain('API keys');

    // The status tab: Deactivate and Ban in red, apart from Unlock and the password actions.
    await page.goto(`${url}/users/${locked.id}?tab=status`);
    const danger = page.locator('.danger-zone a.button.danger');
    expect(await danger.allInnerTexts()).toEqual(ADMIN_TRANSITIONS.locked.filter((t) => t.to === 'deactivated' || t.to === 'banned').map((t) => t.label));
    expect(await page.locator('.danger-zone').getByRole('button').count()).toBe(0);
    expect(await page.locator('.danger-zone').getByRole('link', { name: 'Unlock' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Unlock' }).count()).toBe(1);
    expect(await page.locator('.panel .actions a.button').allInnerTexts()).toEqual(ADMIN_TRANSITIONS.locked.map((t) => t.label));
    await shot(page, 'user-status');

    // At phone width none of these pages scrolls sideways.
    await page.setViewportSize({ width: 360, height: 800 });
    const tooWide: Record<string, number> = {};
    for (const target of ['/dashboard', '/roles', `/roles?edit=${adminRole.id}`, `/users/${locked.id}?tab=status`]) {
      await page.goto(`${url}${target}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 360) tooWide[target] = width;
    }
    expect(tooWide).toEqual({});
    await page.goto(`${url}/dashboard`);
    await shot(page, 'dashboard-360');
  }, 120_000);
});
