import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../db/embedded';
import { issueOneTimeToken } from '../../server/domain/auth/one-time-tokens';
import { EMULATOR_WEBHOOK_SECRET } from '../../server/shared/env';
import { startStripeEmulator } from '../../server/stripe/emulator';
import { onCleanup } from '../setup/cleanup';
import { createTestApp, startHttp } from '../helpers/app';
import { chromiumAvailability, launchBrowser, screenshotsIn } from '../helpers/browser';
import { insertUser, signUp } from '../helpers/factories';
import { startWebProcess } from '../helpers/processes';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const shot = screenshotsIn('test-results/e2e-every-page');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WIDTH = 360;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type Violation = { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] };

/** axe-core (WCAG 2.0/2.1 A and AA) on the page as it stands: its critical and serious violations, each with the elements at fault. */
async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Violation[] }> } };
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })) }));
  });
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ')}`).join(' | ')}`);
}

/** What a page gets wrong for a screen reader, a keyboard or a 360 px screen. */
async function pageProblems(page: Page, where: string) {
  const problems = (await seriousViolations(page)).map((v) => `${where}: ${v}`);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scrollWidth > WIDTH) problems.push(`${where}: scrolls sideways at ${WIDTH} px (scrollWidth ${scrollWidth})`);
  return problems;
}

describe.skipIf(!browser.available)('every page, at 360 px, in Chromium', () => {
  it('axe finds no critical or serious violation and nothing scrolls sideways; a Member gets 403 pages that say who can grant access, unknown users and pages are 404; billing works after a restart', { timeout: 240_000 }, async () => {
    // The app as `npm start` runs it, with the Stripe emulator keeping its state in a file.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-every-page-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = path.join(dir, 'stripe-emulator.json');
    const emulator = await startStripeEmulator({ webhookUrl: `${url}/webhooks/stripe`, webhookSecret: EMULATOR_WEBHOOK_SECRET, stateFile });
    onCleanup(() => emulator.close());
    const app = await createTestApp({ APP_URL: url, STRIPE_EMULATOR_URL: emulator.url });
    const remixBuild = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
    const http = await startHttp(app.deps, { remixBuild, port });

    // A workspace with something on every page.
    const { input, tenant, owner } = await signUp(app, { companyName: 'Every Page Ltd' });
    const member = await insertUser(app, tenant.id, { email: 'mel@member.test', password: 'member password 1234' });
    const invited = await owner.users.create({ kind: 'standard', email: 'ivy@invited.test', firstName: 'Ivy', lastName: 'Invited' });
    const api = await insertUser(app, tenant.id, { email: 'robot@api.test', kind: 'api' });
    await owner.apiKeys.create({ userId: api.id, name: 'Nightly sync' });
    await insertUser(app, tenant.id, { email: 'ben@banned.test', status: 'banned' });
    await owner.users.setStatus({ id: member.id, status: 'suspended', reason: 'On leave' });
    await owner.users.setStatus({ id: member.id, status: 'active' });
    const [inviteToken, resetToken] = await app.database.owner.transaction(async (trx) => [
      await issueOneTimeToken({ trx, tenantId: tenant.id, userId: invited.id, purpose: 'invitation', now: app.clock.now() }),
      await issueOneTimeToken({ trx, tenantId: tenant.id, userId: member.id, purpose: 'password_reset', now: app.clock.now() }),
    ]);
    // Provisioning: a token, and a pushed group mapped to a role that its client member does not fit.
    await owner.provisioning.createToken({ name: 'Okta' });
    await app.database.owner('users').where({ id: member.id }).update({ scimLinked: true });
    const [group] = await app.database.owner('scim_groups').insert({ tenantId: tenant.id, displayName: 'Engineering' }).returning('id');
    await app.database.owner('scim_group_members').insert({ tenantId: tenant.id, groupId: group.id, userId: member.id });
    await app.database.owner('dev_mail').insert({
      to: 'ivy@invited.test',
      subject: 'Ada Lovelace invited you to Every Page Ltd on Seatwise',
      text: `Accept the invitation: ${url}/invite/${inviteToken}`,
      html: '',
    });

    const context = await launchBrowser({ viewport: { width: WIDTH, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const visit = async (target: string, name: string) => {
      const response = await page.goto(`${url}${target}`);
      expect({ target, status: response?.status() }).toEqual({ target, status: 200 });
      const found = await pageProblems(page, target);
      problems.push(...found);
      // A picture of each page at fault, to look at after the run.
      if (found.length) await shot(page, name);
    };

    // Signed out: the public pages, and the mailbox where their links arrive.
    await visit('/signup', 'signup');
    // The skip link is the first thing the keyboard reaches, and leads to the page's main part.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.getAttribute('href')])).toEqual(['Skip to content', '#main']);
    expect(await page.locator('main#main').count()).toBe(1);
    await visit(`/login?workspace=${tenant.slug}`, 'login');
    await visit('/forgot-password', 'forgot-password');
    await visit(`/reset-password/${resetToken}`, 'reset-password');
    await visit(`/invite/${inviteToken}`, 'invite');
    await visit('/dev/mailbox', 'dev-mailbox');

    const signIn = async (email: string, password: string) => {
      await context.clearCookies();
      await page.goto(`${url}/login?workspace=${tenant.slug}`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);
    };

    // The Owner: every page of the app, and each tab of a person's and an API user's page.
    await signIn(input.email, input.password);
    await visit('/dashboard', 'dashboard');
    await visit('/users', 'users');
    await visit('/users/new', 'users-new');
    for (const tab of ['details', 'role', 'status', 'history', 'audit']) await visit(`/users/${member.id}?tab=${tab}`, `user-${tab}`);
    await visit(`/users/${member.id}?tab=status&to=banned`, 'user-status-ban');
    await visit(`/users/${api.id}?tab=keys`, 'user-keys');
    await visit('/billing', 'billing');
    await visit('/roles', 'roles');
    await visit('/audit', 'audit');
    await visit('/login-history', 'login-history');
    await visit('/settings', 'settings');
    await visit('/settings/provisioning', 'settings-provisioning');
    const revokeLink = page.getByRole('link', { name: 'Revoke…' });
    await visit(`/settings/provisioning${await revokeLink.getAttribute('href').then((h) => h!.slice(h!.indexOf('?')))}`, 'settings-provisioning-revoke');
    await visit('/settings/sso', 'settings-sso');
    // Once connected, with a test report: the values to copy, the report and "turn off" show too.
    await app.database.owner('sso_connections').insert({
      tenantId: tenant.id,
      protocol: 'saml',
      displayName: 'Every IdP',
      config: JSON.stringify({ metadataXml: '<x/>', entityId: 'https://idp.example.com/metadata', ssoUrl: 'https://idp.example.com/sso', certs: [] }),
      lastTest: JSON.stringify({ at: new Date().toISOString(), ok: false, message: 'The response was meant for another address (wrong Recipient).', received: { error: 'Recipient https://elsewhere.example.com/acs' } }),
    });
    await visit('/settings/sso', 'settings-sso-connected');
    await app.database.owner('sso_connections').where({ tenantId: tenant.id }).delete();
    await visit('/profile', 'profile');
    await visit('/change-password', 'change-password');
    // Unknown and malformed user addresses are 404 pages.
    for (const target of [`/users/${UNKNOWN_ID}`, '/users/not-a-uuid']) {
      const response = await page.goto(`${url}${target}`);
      expect({ target, status: response?.status() }).toEqual({ target, status: 404 });
      expect(await page.locator('h1').innerText()).toBe('404 Not found');
    }
    problems.push(...(await pageProblems(page, '404 /users/not-a-uuid')));
    await visit(`/seats/holders?seatType=standard&at=${encodeURIComponent(new Date().toISOString())}`, 'seat-holders');

    // A Member: refused pages say so with 403 and who can grant access; unknown users are 404.
    await signIn(member.email, 'member password 1234');
    for (const target of ['/users', '/billing', '/roles', '/audit', '/settings', '/settings/provisioning', '/settings/sso']) {
      const response = await page.goto(`${url}${target}`);
      expect({ target, status: response?.status() }).toEqual({ target, status: 403 });
      expect(await page.locator('h1').innerText()).toBe('403 Not allowed');
      expect(await page.locator('main').innerText()).toContain('Ask an Owner or an Admin of your workspace: they can give your role the permission.');
    }
    problems.push(...(await pageProblems(page, '403 /settings')));
    // Permission before existence: a Member learns nothing about whether a user exists.
    expect((await page.goto(`${url}/users/${UNKNOWN_ID}`))?.status()).toBe(403);
    const missing = await page.goto(`${url}/no-such-page`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('404 Not found');
    problems.push(...(await pageProblems(page, '404 /no-such-page')));

    expect(problems).toEqual([]);

    // Billing: the Owner buys seats, then the app and the emulator restart on the same state file.
    await signIn(input.email, input.password);
    await page.goto(`${url}/billing`);
    await page.locator('select[name=seatType]').selectOption('client');
    await page.getByLabel('Quantity').fill('2');
    await Promise.all([page.waitForURL(/\/checkout\/cs_test_/), page.getByRole('button', { name: 'Continue to checkout' }).click()]);
    await Promise.all([page.waitForURL(/\/billing\?checkout=success/), page.getByRole('button', { name: 'Pay and subscribe' }).click()]);

    http.server.closeAllConnections();
    await new Promise((resolve) => http.server.close(resolve));
    await emulator.close();
    const restarted = await startStripeEmulator({ webhookUrl: 'http://127.0.0.1:1/unset', webhookSecret: EMULATOR_WEBHOOK_SECRET, stateFile });
    onCleanup(() => restarted.close());
    const web = await startWebProcess({ DATABASE_URL: app.database.url, STRIPE_EMULATOR_URL: restarted.url });
    restarted.setWebhookUrl(`${web.url}/webhooks/stripe`);

    // The session cookie is the same host's; the new process knows it from the database.
    expect((await page.goto(`${web.url}/billing`))?.status()).toBe(200);
    await page.getByRole('button', { name: 'Manage billing in Stripe' }).click();
    await page.waitForURL(`${restarted.url}/**`);
    expect(await page.textContent('body')).toContain('2 × Client User seat');
    await shot(page, 'portal-after-restart');

    await page.goto(`${web.url}/billing`);
    await page.locator('select[name=seatType]').selectOption('standard');
    await page.getByLabel('Quantity').fill('1');
    const [checkout] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${restarted.url}/checkout/cs_test_`)),
      page.getByRole('button', { name: 'Continue to checkout' }).click(),
    ]);
    expect(checkout.status()).toBe(200);
    expect(await page.textContent('body')).toContain('1 × User seat');
    await shot(page, 'checkout-after-restart');
  });
});
