import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-users-table';
const shot = screenshotsIn(ARTIFACTS);

/** A link or a GET form: the next whole document, as a browser without scripts loads it. */
const navigate = async (page: Page, click: () => Promise<void>) => {
  await Promise.all([page.waitForEvent('load'), click()]);
};
const names = (page: Page) => page.locator('tbody tr td:nth-child(2) a').allTextContents();
const range = (page: Page) => page.getByRole('navigation', { name: 'Pages' }).locator('.muted').textContent();

describe.skipIf(!browser.available)('the users table without JavaScript', () => {
  it('sorts by a header, filters, pages both ways, and bulk-deactivates two users through one confirmation', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Table Ltd' });
    const db = app.database.owner;
    await db('seat_pools').where({ tenantId: tenant.id }).update({ included: 10 });
    const member = (await db('roles').where({ tenantId: tenant.id, key: 'member' }).first('id'))!;
    const people = [
      ['Bea', 'Ash', 'active'],
      ['Cal', 'Birch', 'suspended'],
      ['Dee', 'Cedar', 'active'],
      ['Eve', 'Dogwood', 'active'],
      ['Fay', 'Elm', 'active'],
    ] as const;
    await db('users').insert(
      people.map(([first, last, status]) => ({
        tenantId: tenant.id,
        kind: 'standard' as const,
        email: `${first.toLowerCase()}@table.test`,
        firstName: first,
        lastName: last,
        displayName: `${first} ${last}`,
        roleId: member.id,
        status,
      })),
    );

    const page = await (await launchBrowser({ javaScript: false })).newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');

    // Two to a page, by name A to Z (the default).
    await page.goto(`${url}/users?limit=2`);
    expect(await page.locator('h1').textContent()).toBe('Users 6 users');
    expect(await names(page)).toEqual(['Ada Lovelace', 'Bea Ash']);
    expect(await range(page)).toBe('1–2 of 6');
    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');

    // The header is a link: Z to A.
    await navigate(page, () => nameHeader.getByRole('link').click());
    expect(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('descending');
    expect(await page.getByRole('columnheader', { name: 'Created' }).getAttribute('aria-sort')).toBe('none');
    expect(await names(page)).toEqual(['Fay Elm', 'Eve Dogwood']);

    // Next, and back.
    await navigate(page, () => page.getByRole('link', { name: 'Next' }).click());
    expect(await names(page)).toEqual(['Dee Cedar', 'Cal Birch']);
    expect(await range(page)).toBe('3–4 of 6');
    await navigate(page, () => page.getByRole('link', { name: 'Previous' }).click());
    expect(await names(page)).toEqual(['Fay Elm', 'Eve Dogwood']);
    expect(await range(page)).toBe('1–2 of 6');

    // A filter through the visible Apply button keeps the sort and starts again from the first page.
    await page.getByLabel('Status').selectOption('active');
    await navigate(page, () => page.getByRole('button', { name: 'Apply' }).click());
    expect(new URL(page.url()).searchParams.get('status')).toBe('active');
    expect(await range(page)).toBe('1–2 of 5');
    expect(await names(page)).toEqual(['Fay Elm', 'Eve Dogwood']);
    await shot(page, '1-sorted-filtered');

    // Tick two, one bulk button, one confirmation naming them, Confirm.
    await page.getByLabel('Select Fay Elm').check();
    await page.getByLabel('Select Eve Dogwood').check();
    await navigate(page, () => page.getByRole('group', { name: 'Selected users' }).getByRole('button', { name: 'Deactivate' }).click());
    const confirmation = page.getByRole('region', { name: 'Deactivate 2 users?' });
    expect(await confirmation.getByRole('list', { name: 'Affected users' }).getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Fay Elm'),
      expect.stringContaining('Eve Dogwood'),
    ]);
    expect(await db('users').whereIn('email', ['fay@table.test', 'eve@table.test']).pluck('status')).toEqual(['active', 'active']);
    await shot(page, '2-confirmation');
    const response = await submitForm(page, 'Confirm');
    expect(response.status()).toBe(302);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('2 users deactivated.');
    expect(await db('users').whereIn('email', ['fay@table.test', 'eve@table.test']).pluck('status')).toEqual(['deactivated', 'deactivated']);
    // Still filtered to active users, still Z to A: they are gone from it.
    expect(await names(page)).toEqual(['Dee Cedar', 'Bea Ash']);
    expect(await range(page)).toBe('1–2 of 3');

    // At 360 px the page itself does not scroll sideways (the table scrolls in its own box).
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, '3-deactivated-360px');
  });
});
