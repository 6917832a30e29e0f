import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromiumAvailability, launchBrowser, screenshotsIn } from '../helpers/browser';
import { signUp } from '../helpers/factories';
import { startFullStack } from '../helpers/web';

const browser = chromiumAvailability();
if (!browser.available) console.warn(browser.reason);
const ARTIFACTS = 'test-results/e2e-seat-history';
const shot = screenshotsIn(ARTIFACTS);
const DAY = 86_400_000;

const utcDay = (date: Date, year = false) =>
  date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });

/** RFC 4180 as a spreadsheet reads it: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string) {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe.skipIf(!browser.available)('seat history without JavaScript (SPEC "Seat history")', () => {
  it('charts used against purchased, titles each day with its figures, lists a day’s holders and downloads them as CSV', { timeout: 120_000 }, async () => {
    const { app, url } = await startFullStack();
    const { input, tenant, owner } = await signUp(app, { companyName: 'History Ltd' });
    const bea = await owner.users.create({ kind: 'standard', email: 'bea@history.test', firstName: 'Bea', lastName: 'O"Neil, Jr' });
    const cmd = await owner.users.create({ kind: 'standard', email: 'cmd@history.test', firstName: '=cmd', lastName: 'Tester' });

    // A history with a shape (what months of use would have written): Ada holds a seat from 75
    // days ago, Bea from 30, "=cmd" from 5; 2 seats were bought up to 60 days ago, then 3, and
    // 8 days ago one was given back, so the last 6 days (5 ago to today) are over the limit.
    const db = app.database.owner;
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    const ada = (await db('users').where({ tenantId: tenant.id, email: input.email }).first('id'))!;
    for (const [userId, days] of [[ada.id, 75], [bea.id, 30], [cmd.id, 5]] as const) {
      await db('seat_holding_changes').where({ tenantId: tenant.id, userId }).update({ createdAt: ago(days) });
    }
    await db('seat_ledger').insert([
      { tenantId: tenant.id, seatType: 'standard', purchasedBefore: 2, purchasedAfter: 3, reason: 'test: bought', createdAt: ago(60) },
      { tenantId: tenant.id, seatType: 'standard', purchasedBefore: 3, purchasedAfter: 2, reason: 'test: given back', createdAt: ago(8) },
    ]);
    await db('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: 2 });
    const summary = await owner.seats.summary();
    expect(summary.standard).toMatchObject({ used: 3, purchased: 2, overLimit: true });

    const page = await (await launchBrowser({ javaScript: false, acceptDownloads: true, viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${url}/login?workspace=${tenant.slug}`);
    await page.getByLabel('Email').fill(input.email);
    await page.getByLabel('Password').fill(input.password);
    await Promise.all([page.waitForURL(`${url}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);

    // One chart, for the one seat type with seats: an image with a name that gives today's figures.
    const charts = page.locator('svg.seat-chart');
    expect(await charts.count()).toBe(1);
    const chart = page.getByRole('img', { name: /^User seats by day, .* now 3 used of 2 purchased$/ });
    expect(await chart.count()).toBe(1);
    const card = page.locator('article.seat-history', { has: chart });
    expect(await card.locator('.legend').textContent()).toBe('UsedPurchasedOver the limit');

    // The table with the same figures: 91 days, the last today's, as the seat summary counts.
    const rows = card.locator('tbody tr');
    expect(await rows.count()).toBe(91);
    const today = new Date();
    expect(await rows.last().locator('td').allTextContents()).toEqual([utcDay(today, true), String(summary.standard.purchased), String(summary.standard.used), '1']);
    expect(await rows.first().locator('td').allTextContents()).toEqual([utcDay(ago(90), true), '2', '0', '']);
    expect(await rows.nth(90 - 30).locator('td').allTextContents()).toEqual([utcDay(ago(30), true), '3', '2', '']);
    expect(await card.locator('tbody tr.over').count()).toBe(6);

    // Hovering shows a day's SVG title; without a script it is still there to read.
    // The day links lie over the drawing in their own layer (an image cannot hold links).
    const days = card.locator('svg.seat-chart-days a.day');
    expect(await days.count()).toBe(91);
    expect(await days.last().locator('title').textContent()).toBe(`${utcDay(today)}: 3 used of 2 purchased, 1 over the limit`);
    expect(await days.nth(45).locator('title').textContent()).toBe(`${utcDay(ago(45))}: 1 used of 3 purchased`);
    // The excess is one red shape, 6 days wide, ending at the chart's right edge.
    const over = await chart.locator('path.over').boundingBox();
    const plot = await chart.locator('line.baseline').boundingBox();
    expect(over!.width / plot!.width).toBeCloseTo(6 / 91, 2);
    expect(over!.x + over!.width).toBeCloseTo(plot!.x + plot!.width, 0);
    await shot(page, '1-dashboard');
    await chart.screenshot({ path: `${ARTIFACTS}/2-dashboard-chart.png` });
    // The table opens without a script too.
    await card.locator('summary').click();
    expect(await rows.last().isVisible()).toBe(true);
    await card.screenshot({ path: `${ARTIFACTS}/2-dashboard-table.png` });

    // The billing page has the same charts.
    await page.goto(`${url}/billing`);
    expect(await page.getByRole('img', { name: /^User seats by day/ }).count()).toBe(1);
    await shot(page, '3-billing');

    // Clicking today: who holds a seat now, and since when.
    await page.goto(`${url}/dashboard`);
    await Promise.all([page.waitForURL(/\/seats\/holders\?/), days.last().click()]);
    const holdersUrl = new URL(page.url());
    expect(holdersUrl.searchParams.get('seatType')).toBe('standard');
    expect(Date.now() - Date.parse(holdersUrl.searchParams.get('at')!)).toBeLessThan(60_000);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`User seat holders on ${utcDay(today, true)}`);
    const holders = page.locator('tbody tr');
    expect(await holders.count()).toBe(3);
    const table = await Promise.all((await holders.all()).map((row) => row.locator('td').allTextContents()));
    expect(table.sort((a, b) => a[1].localeCompare(b[1]))).toEqual([
      ['Ada Lovelace', input.email, utcDay(ago(75), true)],
      ['Bea O"Neil, Jr', 'bea@history.test', utcDay(ago(30), true)],
      ['=cmd Tester', 'cmd@history.test', utcDay(ago(5), true)],
    ]);
    expect(await page.getByRole('link', { name: 'Bea O"Neil, Jr' }).getAttribute('href')).toBe(`/users/${bea.id}`);
    await shot(page, '4-holders');

    // An earlier day lists who held a seat then.
    await page.goto(`${url}/dashboard`);
    await Promise.all([page.waitForURL(/\/seats\/holders\?/), days.nth(45).click()]);
    expect(await page.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual([input.email]);
    expect(await page.locator('main p.muted').last().textContent()).toBe(`1 user held a User seat at the end of ${utcDay(ago(45), true)} (UTC).`);

    // The CSV: a download named for the seat type and day, formulas neutralised, quoting per RFC 4180.
    await page.goto(holdersUrl.href);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`standard-seat-holders-${today.toISOString().slice(0, 10)}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('name,email,since');
    expect(csv).toContain(`\r\n'=cmd Tester,cmd@history.test,`);
    expect(csv).toContain(`\r\n"Bea O""Neil, Jr",bea@history.test,`);
    const parsed = parseCsv(csv);
    expect(parsed[0]).toEqual(['name', 'email', 'since']);
    expect(parsed.slice(1).map((r) => r[1]).sort()).toEqual(['bea@history.test', 'cmd@history.test', input.email].sort());
    expect(parsed.find((r) => r[1] === 'cmd@history.test')?.[0]).toBe("'=cmd Tester");
    expect(parsed.find((r) => r[1] === 'bea@history.test')?.[0]).toBe('Bea O"Neil, Jr');
    expect(parsed[1][2]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const response = await page.request.get(`${url}/seats/holders.csv?seatType=standard&at=${encodeURIComponent(holdersUrl.searchParams.get('at')!)}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers()['content-disposition']).toBe(`attachment; filename="standard-seat-holders-${today.toISOString().slice(0, 10)}.csv"`);

    // An address that names no seat type or instant is a 400 page that says why, the CSV too.
    const bad = await page.goto(`${url}/seats/holders?seatType=gold&at=yesterday`);
    expect(bad?.status()).toBe(400);
    expect(await page.locator('main').textContent()).toContain('Seat type: Choose standard, client or api.');
    expect(await page.locator('main').textContent()).toContain('Time: Use an ISO 8601 date and time');
    expect((await page.request.get(`${url}/seats/holders.csv?seatType=standard`)).status()).toBe(400);

    // With JavaScript the same page hydrates without complaint (the dates are written the same way
    // on both sides), and a day in the table opens its holders in the app.
    const withScript = await (await launchBrowser()).newPage();
    const problems: string[] = [];
    withScript.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    withScript.on('pageerror', (error) => problems.push(error.message));
    await withScript.goto(`${url}/login?workspace=${tenant.slug}`);
    await withScript.getByLabel('Email').fill(input.email);
    await withScript.getByLabel('Password').fill(input.password);
    await withScript.getByRole('button', { name: 'Sign in' }).click();
    await withScript.waitForURL(`${url}/dashboard`);
    await withScript.locator('article.seat-history summary').click();
    await withScript.locator('article.seat-history tbody tr').nth(60).getByRole('link').click();
    await expect.poll(() => withScript.getByRole('heading', { level: 1 }).textContent()).toBe(`User seat holders on ${utcDay(ago(30), true)}`);
    expect(await withScript.locator('tbody tr').count()).toBe(2);
    expect(problems).toEqual([]);

    // Signed out, the CSV is a way to the sign-in page, not the holders.
    const anonymous = await fetch(`${url}/seats/holders.csv?seatType=standard&at=${encodeURIComponent(new Date().toISOString())}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?redirectTo=/);
  });
});
