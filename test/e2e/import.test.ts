import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn, submitForm } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const shot = screenshotsIn('test-results/e2e-import');

const CSV = [
  'Primary email,First name,Last name,Display name,Status',
  ...['ann', 'ben', 'cat', 'dan'].map((n) => `${n}@import.test,${n[0].toUpperCase()}${n.slice(1)},Imported,,ACTIVE`),
  'ann@import.test,Ann,Again,,ACTIVE',
].join('\n');

describe.skipIf(!browser.available)('importing a file without JavaScript, buying the missing seats on the way', () => {
  it('uploads, previews with the seat message, buys exactly the missing seats, runs with progress and downloads the report', { timeout: 150_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant } = await signUp(app, { companyName: 'Import Co' });
    const page = await (await launchBrowser({ javaScript: false, acceptDownloads: true, viewport: { width: 360, height: 800 } })).newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await submitForm(page, 'Sign in');
    await page.getByRole('link', { name: 'Import' }).first().click();
    await page.waitForURL(`${url}/import`);

    await page.getByLabel('File').setInputFiles({ name: 'okta-users.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await submitForm(page, 'Preview the file');
    expect(new URL(page.url()).pathname).toBe('/import');
    expect(await page.getByTestId('import-counts').textContent()).toBe('5 rows: 4 new, 0 to update, 0 skipped (exist), 1 with errors');
    expect(await page.getByRole('alert').textContent()).toContain('This import needs 4 User seats but only 2 are free. Buy 2 more User seats or remove rows.');
    expect(await page.getByTestId('import-rows').textContent()).toContain('This email is already on line 2 of this file');
    await shot(page, 'preview-with-errors');

    // Fixed file: the duplicate line removed.
    await page.getByRole('link', { name: 'New import' }).click();
    await page.getByLabel('File').setInputFiles({ name: 'okta-users.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV.split('\n').slice(0, 5).join('\n')) });
    await submitForm(page, 'Preview the file');
    const previewUrl = page.url();
    expect(await page.getByRole('alert').textContent()).toBe('This import needs 4 User seats but only 2 are free. Buy 2 more User seats or remove rows.');
    await submitForm(page, 'Buy 2 User seats');
    await page.waitForURL(/\/checkout\/cs_test_/);
    expect(await page.textContent('body')).toContain('2 × User seat');
    await page.getByRole('button', { name: 'Pay and subscribe' }).click();
    // Checkout returns through the billing page, which waits for the worker to confirm the seats,
    // then sends the buyer back to the same preview.
    await page.waitForURL(/\/import\?id=.*seatsAdded=2/, { timeout: 60_000 });
    expect(new URL(page.url()).searchParams.get('id')).toBe(new URL(previewUrl).searchParams.get('id'));
    expect(await page.getByRole('status').first().textContent()).toBe('Your seats are active. The seat figures below include them.');
    expect(await page.getByRole('button', { name: 'Import 4 users' }).count()).toBe(1);
    await shot(page, 'preview-ready');

    await submitForm(page, 'Import 4 users');
    await expect.poll(() => page.locator('h2').first().textContent(), { timeout: 30_000 }).toBe('Imported');
    expect(await page.getByTestId('import-progress').textContent()).toBe('4 of 4 rows done');
    expect(await page.getByTestId('import-result').textContent()).toBe('4 created, 0 updated, 0 skipped (exist).');
    await shot(page, 'done');
    const users = await app.database.owner('users').where({ tenantId: tenant.id }).whereLike('email', '%@import.test').orderBy('email');
    expect(users.map((u) => [u.email, u.status])).toEqual([['ann@import.test', 'invited'], ['ben@import.test', 'invited'], ['cat@import.test', 'invited'], ['dan@import.test', 'invited']]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the report (CSV)' }).click()]);
    const report = await readFile((await download.path())!, 'utf8');
    expect(report.split('\r\n').slice(0, 2)).toEqual(['line,email,result,fields,messages', '2,ann@import.test,created,,']);

    await page.goto(`${url}/import`);
    expect(await page.getByTestId('past-imports').textContent()).toContain(input.email);
  });
});
