import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-users';
const shot = screenshotsIn(ARTIFACTS);

describe.skipIf(!browser.available)('the user lifecycle in Chromium', () => {
  it('fills the seats, sees the exact refusal, frees a seat, and an invitee accepts in another browser', async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Lifecycle Ltd' });
    const admin = await launchBrowser();
    const page = await admin.newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/dashboard`);

    const createUser = async (first: string) => {
      await page.goto(`${url}/users/new`);
      await page.getByLabel('First name').fill(first);
      await page.getByLabel('Last name').fill('Tester');
      await page.getByLabel('Email').fill(`${first.toLowerCase()}@lifecycle.test`);
      await page.getByRole('button', { name: 'Create user' }).click();
    };
    for (const first of ['Bea', 'Cal']) {
      await createUser(first);
      await page.waitForURL(/\/users\/[0-9a-f-]{36}\?created=1$/);
      await expect.poll(() => page.locator('.notice').textContent()).toBe(`Invitation sent to ${first.toLowerCase()}@lifecycle.test.`);
    }
    await createUser('Dee');
    const limit = 'You have reached Purchased User limit as 3 User, You need to buy more users to create this user';
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(limit);
    await shot(page, '1-seat-limit');

    await page.goto(`${url}/users?q=cal`);
    await page.getByRole('link', { name: 'Cal Tester' }).click();
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('link', { name: 'Deactivate' }).click();
    await page.getByLabel(/Reason/).fill('Left the project');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.locator('h1 .badge').textContent()).toBe('deactivated');
    await shot(page, '2-deactivated');

    await createUser('Dee');
    await page.waitForURL(/\?created=1$/);
    await page.goto(`${url}/users`);
    expect(await page.locator('tbody tr').count()).toBe(4);
    await shot(page, '3-users');

    // Bea accepts her invitation in a browser of her own.
    let link = '';
    await expect
      .poll(async () => {
        await page.goto(`${url}/dev/mailbox`);
        const mail = page.locator('.mail', { hasText: 'bea@lifecycle.test' });
        link = (await mail.count()) ? ((await mail.first().locator('a').first().getAttribute('href')) ?? '') : '';
        return link;
      }, { timeout: 15_000 })
      .toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    const invitee = await (await launchBrowser()).newPage();
    await invitee.goto(link);
    await invitee.getByLabel(/^Password/).fill('bea has a good password');
    await invitee.getByLabel('Repeat the password').fill('bea has a good password');
    await invitee.getByRole('button', { name: 'Accept and sign in' }).click();
    await invitee.waitForURL(`${url}/dashboard`);
    await expect.poll(() => invitee.locator('.who').textContent()).toContain('Bea Tester');
    await shot(invitee, '4-invitee-dashboard');
    const bea = await app.database.owner('users').where({ email: 'bea@lifecycle.test' }).first();
    expect(bea?.status).toBe('active');
  }, 120_000);
});
