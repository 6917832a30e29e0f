import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, submitForm } from '../helpers/browser';
import { insertUser, signUp } from '../helpers/factories';
import { startSsoStack } from '../helpers/sso';
import { localClientId, LOCAL_CLIENT_SECRET } from '../../server/sso-idp/local-client';
import type { TestApp } from '../helpers/app';
import { withTenant } from '../../db/index';
import { issueOneTimeToken } from '../../server/domain/auth/one-time-tokens';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);

let stack: Awaited<ReturnType<typeof startSsoStack>>;
let app: TestApp;
let url: string;

beforeAll(async () => {
  if (!browser.available) return;
  stack = await startSsoStack({ pages: true });
  ({ app, url } = stack);
});

describe.skipIf(!browser.available)('single sign-on in Chromium', () => {
  it('an admin connects an OpenID provider, tests it, and people sign in with "Continue with" (JavaScript on)', async () => {
    const ws = await signUp(app);
    const page = await (await launchBrowser()).newPage();
    await page.goto(`${url}/login?workspace=${ws.input.slug}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);

    await page.goto(`${url}/settings/sso`);
    await page.getByLabel('OpenID Connect').check();
    // The value to copy into the IdP is on the page; the local IdP's client id is derived from it.
    const redirectUri = await page.getByText('/oidc/callback').innerText();
    expect(redirectUri).toBe(`${url}/sso/${ws.input.slug}/oidc/callback`);
    await page.getByLabel('Name shown on the sign-in page').fill('Acme Okta');
    await page.getByLabel('Issuer URL').fill(stack.oidc.issuer);
    await page.getByLabel('Client ID').fill(localClientId(redirectUri));
    await page.getByLabel('Client secret').fill(LOCAL_CLIENT_SECRET);
    await page.getByLabel('Password sign-in').selectOption('owners');
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole('button', { name: 'Save single sign-on' }).click()]);
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1);

    // Test connection: the admin signs in at the IdP and sees what came back, still signed in as before.
    await page.getByRole('link', { name: 'Test connection' }).click();
    await page.getByLabel('Email', { exact: true }).fill(ws.input.email);
    await page.getByLabel('Groups (comma separated)').fill('Engineering');
    await Promise.all([page.waitForURL(`${url}/settings/sso?tested=1`), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(await page.getByRole('status').innerText()).toContain(`It worked. Signed in at the identity provider as ${ws.input.email}.`);
    expect(await page.getByRole('heading', { name: 'Claims received' }).count()).toBe(1);
    const claims = await page.locator('pre.test-report').innerText();
    expect(claims).toContain('"groups": [');
    expect(claims).toContain('Engineering');

    // A Member signs in through the IdP (passwords are for Owners only now).
    const member = await insertUser(app, ws.tenant.id, { email: `grace@${ws.input.slug}.test` });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/login`);
    // Another person at this browser: the Owner's session at the IdP (its own `_…` cookies) ends too.
    await page.context().clearCookies({ name: /^_|^seatwise_workspace$/ });
    // Only the workspace is needed to find its sign-in (the email and password stay empty).
    await page.goto(`${url}/login`);
    await page.getByLabel('Workspace').fill(ws.input.slug);
    await Promise.all([page.waitForURL(`${url}/login?workspace=${ws.input.slug}`), page.getByRole('button', { name: 'Use single sign-on' }).click()]);
    // A client-side navigation: wait for the new page's content, not just its address.
    await page.getByText('Passwords are for Owners only.').waitFor();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill('another good password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.field-error').innerText()).toBe('Your workspace signs in through Acme Okta. Use "Continue with Acme Okta" instead of a password.');
    await page.getByRole('link', { name: 'Continue with Acme Okta' }).click();
    await page.getByLabel('Email', { exact: true }).fill(member.email);
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);

    // The Owner keeps password sign-in (break-glass) and reads the attempts with their method.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/login`);
    await page.goto(`${url}/login?workspace=${ws.input.slug}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(`${url}/login-history`);
    const rows = page.getByRole('row').filter({ hasText: 'Test User' }); // the member's display name
    expect(await rows.filter({ hasText: 'OpenID Connect' }).filter({ hasText: 'Signed in' }).count()).toBe(1);
    expect(await rows.filter({ hasText: 'Password not allowed' }).filter({ hasText: 'Password' }).count()).toBe(1);

    // An invitation or a reset link sets the password, but sends a non-Owner to single sign-on.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/login`);
    const invitee = await ws.owner.users.create({ kind: 'standard', email: `ivy@${ws.input.slug}.test`, firstName: 'Ivy', lastName: 'Vite' });
    const linkFor = (userId: string, purpose: 'invitation' | 'password_reset') => withTenant(app.database.owner, ws.tenant.id, (trx) => issueOneTimeToken({ trx, tenantId: ws.tenant.id, userId, purpose, now: new Date() }));
    const useSso = 'Your workspace signs in through Acme Okta. Use "Continue with Acme Okta" instead of a password.';
    for (const [path, label, repeat, submit, done] of [
      [`/invite/${await linkFor(invitee.id, 'invitation')}`, 'Password', 'Repeat the password', 'Accept and sign in', 'Your invitation is accepted.'],
      [`/reset-password/${await linkFor(member.id, 'password_reset')}`, 'New password', 'Repeat the new password', 'Set password and sign in', 'Your new password is saved.'],
    ]) {
      await page.goto(`${url}${path}`);
      // The label also holds its hint ("At least 12 characters.").
      await page.getByLabel(new RegExp(`^${label}`)).fill('a long new password 1');
      await page.getByLabel(repeat).fill('a long new password 1');
      await page.getByRole('button', { name: submit }).click();
      await expect.poll(() => page.locator('.alert').innerText().catch(() => '')).toBe(`${done} ${useSso}`);
      expect(await page.getByRole('link', { name: 'Go to the sign-in page' }).getAttribute('href')).toBe(`/login?workspace=${ws.input.slug}`);
    }
  });

  it('SAML without JavaScript: paste metadata, SP-initiated from the sign-in page, IdP-initiated, a refusal on the sign-in page, then turned off', async () => {
    const ws = await signUp(app);
    const page = await (await launchBrowser({ javaScript: false })).newPage();
    await page.goto(`${url}/login?workspace=${ws.input.slug}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await submitForm(page, 'Sign in');

    await page.goto(`${url}/settings/sso`);
    const acsUrl = `${url}/sso/${ws.input.slug}/saml/acs`;
    const entityId = `${url}/sso/${ws.input.slug}/saml/metadata`;
    expect(await page.getByText(acsUrl).count()).toBe(1);
    expect(await page.getByText(entityId).count()).toBe(1);
    await page.getByLabel('SAML 2.0').check();
    await page.getByLabel('Name shown on the sign-in page').fill('Acme Entra');
    await page.getByLabel('Identity provider metadata XML').fill('<md:EntityDescriptor/>');
    await submitForm(page, 'Save single sign-on');
    expect(await page.getByRole('alert').innerText()).toContain('no identity provider');
    await page.getByLabel('SAML 2.0').check();
    await page.getByLabel('Name shown on the sign-in page').fill('Acme Entra');
    await page.getByLabel('Identity provider metadata XML').fill(stack.saml.metadata);
    await submitForm(page, 'Save single sign-on');
    expect(page.url()).toBe(`${url}/settings/sso?saved=1`);
    await page.context().clearCookies();

    // The workspace step: type it, "Use single sign-on", then Continue with the IdP.
    await page.goto(`${url}/login`);
    await page.getByLabel('Workspace').fill(ws.input.slug);
    await submitForm(page, 'Use single sign-on');
    await page.getByRole('link', { name: 'Continue with Acme Entra' }).click();
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The HTTP-POST binding without JavaScript: the IdP's page has a button.
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Continue to the service' }).click()]);

    // This device remembers the workspace: the sign-in page offers the IdP straight away.
    await page.context().clearCookies({ name: 'seatwise_session' });
    await page.goto(`${url}/login`);
    expect(await page.getByRole('link', { name: 'Continue with Acme Entra' }).count()).toBe(1);

    // IdP-initiated, opening a page of ours.
    await page.goto(`${stack.saml.url}/idp-initiated?acs=${encodeURIComponent(acsUrl)}&audience=${encodeURIComponent(entityId)}`);
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Open at (RelayState)').fill('/users');
    await page.getByRole('button', { name: 'Open Seatwise' }).click();
    await Promise.all([page.waitForURL(`${url}/users`), page.getByRole('button', { name: 'Continue to the service' }).click()]);

    // A suspended person is told so on the sign-in page.
    const suspended = await insertUser(app, ws.tenant.id, { email: `sus@${ws.input.slug}.test`, status: 'suspended' });
    await page.context().clearCookies({ name: 'seatwise_session' });
    await page.goto(`${url}/login`);
    await page.getByRole('link', { name: 'Continue with Acme Entra' }).click();
    await page.getByLabel('Email').fill(suspended.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await Promise.all([page.waitForURL(`${url}/login?workspace=${ws.input.slug}`), page.getByRole('button', { name: 'Continue to the service' }).click()]);
    expect(await page.getByRole('alert').innerText()).toBe('Your account is suspended. Please contact your administrator.');

    // The Owner turns single sign-on off, confirming it; the sign-in page stops offering it.
    await page.getByLabel('Email').fill(ws.input.email);
    await page.getByLabel('Password').fill(ws.input.password);
    await submitForm(page, 'Sign in');
    await page.goto(`${url}/settings/sso`);
    await page.getByLabel('Yes, turn single sign-on off').check();
    await submitForm(page, 'Disable single sign-on');
    expect(await page.getByText('Single sign-on is off.').count()).toBe(1);
    await page.context().clearCookies({ name: 'seatwise_session' });
    await page.goto(`${url}/login`);
    expect(await page.getByRole('link', { name: /Continue with/ }).count()).toBe(0);
  });
});
