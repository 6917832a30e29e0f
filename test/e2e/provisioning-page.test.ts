import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../db/embedded';
import { createTestApp, startHttp } from '../helpers/app';
import { chromiumAvailability, launchBrowser, submitForm } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { newUser, scimRequest } from '../helpers/scim';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);

describe.skipIf(!browser.available)('Settings → Provisioning without JavaScript', () => {
  it('shows a new token once, maps a group to a role (members follow), and revokes a token after confirming', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const app = await createTestApp({ APP_URL: url });
    const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
    await startHttp(app.deps, { remixBuild, port });
    const { input, tenant } = await signUp(app, { companyName: 'Directory Ltd' });
    const page = await (await launchBrowser({ javaScript: false })).newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');

    await page.goto(`${url}/settings/provisioning`);
    expect(await page.getByLabel('SCIM base URL').inputValue()).toBe(`${url}/scim/v2`);
    await page.getByLabel('Token name').fill('Okta');
    expect((await submitForm(page, 'Create token')).status()).toBe(200);
    const token = await page.getByLabel('New provisioning token').inputValue();
    expect(token).toMatch(/^sws_/);
    // The token works, and is never shown again.
    const created = await scimRequest(url, token, 'POST', '/Users', newUser(`pat@${tenant.slug}.test`));
    expect(created.status).toBe(201);
    const group = await scimRequest(url, token, 'POST', '/Groups', { displayName: 'Engineering', members: [{ value: created.body.id }] });
    await page.goto(`${url}/settings/provisioning`);
    expect(await page.getByLabel('New provisioning token').count()).toBe(0);
    expect(await page.content()).not.toContain(token.slice(12));
    expect(await page.locator('td code').allTextContents()).toEqual([`${token.slice(0, 12)}…`]);
    expect(await page.locator('td', { hasText: 'Acts with' }).textContent()).toMatch(/Acts with the permissions of Ada Lovelace \(Owner\) as of \S/);
    // The Owner assigns themself in the IdP: linked, kept as Owner, and the page says why.
    expect((await scimRequest(url, token, 'POST', '/Users', newUser(input.email))).status).toBe(201);
    await page.goto(`${url}/settings/provisioning`);
    expect(await page.getByLabel('Roles kept').textContent()).toContain(`Kept ${input.email} as Owner: the last active Owner is never demoted — map a group to Owner.`);

    // Map the pushed group to Admin: its member's role follows at once.
    await page.getByLabel('Role for Engineering').selectOption({ label: 'Admin (internal)' });
    await page.getByLabel('Priority').fill('1');
    expect((await submitForm(page, 'Save')).status()).toBe(302);
    const admin = await app.database.owner('roles').where({ tenantId: tenant.id, key: 'admin' }).first('id');
    expect(await app.database.owner('scim_groups').where({ id: group.body.id as string }).first()).toMatchObject({ roleId: admin!.id, priority: 1 });
    expect((await app.database.owner('users').where({ id: created.body.id as string }).first())!.roleId).toBe(admin!.id);
    // A bad priority is refused next to the field, and changes nothing.
    await page.getByLabel('Priority').fill('0');
    expect((await submitForm(page, 'Save')).status()).toBe(400);
    expect(await page.locator('.field-error').allTextContents()).toEqual(['Use a whole number from 1 to 1000']);

    // Revoke: a confirmation first, then the token is refused.
    await page.goto(`${url}/settings/provisioning`);
    await page.getByRole('link', { name: 'Revoke…' }).click();
    expect((await submitForm(page, 'Revoke token')).status()).toBe(302);
    expect(await page.locator('.notice').textContent()).toContain('Token revoked');
    expect((await scimRequest(url, token, 'GET', '/Users')).status).toBe(401);
  });
});
