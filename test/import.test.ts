import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import http from 'node:http';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapHeaders } from '../server/contract/imports';
import { runImport } from '../server/domain/imports/run';
import { startWorker } from '../worker/worker';
import { createTestApp, memoryCookies, silentLog, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';
import { onCleanup } from './setup/cleanup';
import { waitFor } from './helpers/wait';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const fixture = (name: string) => readFile(new URL(`./fixtures/import/${name}`, import.meta.url), 'utf8');
const fixtureBytes = (name: string) => readFile(new URL(`./fixtures/import/${name}`, import.meta.url));
const setSeats = (tenantId: string, seatType: 'standard' | 'client' | 'api', included: number) =>
  app.database.owner('seat_pools').where({ tenantId, seatType }).update({ included });
const usersOf = (tenantId: string) => app.database.owner('users').where({ tenantId }).orderBy('email');
const count = async (table: string, where: Record<string, unknown>) => Number((await app.database.owner(table).where(where).count({ n: '*' }))[0].n);
const csvOf = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n');
const people = (domain: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ Email: `p${from + i}@${domain}.test`, 'First name': 'Pat', 'Last name': `No${from + i}` }));
const run = (tenantId: string, importId: string, extra: Partial<Parameters<typeof runImport>[0]> = {}) =>
  runImport({ db: app.database.owner, jobs: app.deps.jobs, tenantId, importId, now: app.clock.now, ...extra });

describe('header matching (one synonym table, SPEC "Columns")', () => {
  it('recognises Okta, Google Workspace and Entra ID headers, ignoring case, spaces and punctuation', () => {
    const fields = (headers: string[]) => Object.fromEntries(mapHeaders(headers).map((m) => [m.header, m.field]));
    expect(fields(['Username', 'First name', 'Last name', 'Primary email', 'Display name', 'Status', 'Time zone', 'Locale'])).toEqual({
      Username: 'userName', 'First name': 'firstName', 'Last name': 'lastName', 'Primary email': 'email', 'Display name': 'displayName', Status: null, 'Time zone': 'timeZone', Locale: 'locale',
    });
    expect(fields(['First Name [Required]', 'Last Name [Required]', 'Email Address [Required]', 'Password [Required]'])).toEqual({
      'First Name [Required]': 'firstName', 'Last Name [Required]': 'lastName', 'Email Address [Required]': 'email', 'Password [Required]': null,
    });
    // Entra's download (mail wins over the UPN, which is the email only without a mail column) and its bulk-create template.
    expect(fields(['userPrincipalName', 'displayName', 'surname', 'mail', 'givenName', 'userType'])).toEqual({
      userPrincipalName: null, displayName: 'displayName', surname: 'lastName', mail: 'email', givenName: 'firstName', userType: null,
    });
    expect(fields(['User principal name', 'Primary email', 'Given name'])).toEqual({ 'User principal name': null, 'Primary email': 'email', 'Given name': 'firstName' });
    expect(fields(['userPrincipalName', 'displayName', 'givenName', 'surname'])).toEqual({ userPrincipalName: 'email', displayName: 'displayName', givenName: 'firstName', surname: 'lastName' });
    expect(fields(['Name [displayName] Required', 'User name [userPrincipalName] Required', 'First name [givenName]', 'Last name [surname]'])).toEqual({
      'Name [displayName] Required': 'displayName', 'User name [userPrincipalName] Required': 'email', 'First name [givenName]': 'firstName', 'Last name [surname]': 'lastName',
    });
    expect(fields(['E_MAIL', ' e-mail ', 'GIVEN-NAME'])).toEqual({ E_MAIL: 'email', ' e-mail ': null, 'GIVEN-NAME': 'firstName' });
  });
});

describe('imports.preview: every source, nothing written', () => {
  it('reads Okta, Google and Entra exports, a semicolon file with a BOM, an XLSX workbook and JSON rows', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 20);
    const usersBefore = await count('users', { tenantId: tenant.id });
    const auditBefore = await count('audit_events', { tenantId: tenant.id });

    const okta = await owner.imports.preview({ source: { csv: await fixture('okta.csv') } });
    expect(okta).toMatchObject({ total: 2, counts: { new: 2, update: 0, unchanged: 0, error: 0 }, canRun: true, unknownColumns: ['Status'] });
    expect(okta.rows).toEqual([{ line: 2, result: 'new', email: 'grace.hopper@okta.test' }, { line: 3, result: 'new', email: 'alan.turing@okta.test' }]);
    expect(okta.seats.standard).toEqual({ needed: 2, free: 19 });

    const google = await owner.imports.preview({ source: { csv: await fixture('google.csv') } });
    expect(google).toMatchObject({ total: 2, counts: { new: 2 }, unknownColumns: ['Password [Required]', 'Org Unit Path [Required]', 'Recovery Email'] });
    const entra = await owner.imports.preview({ source: { csv: await fixture('entra.csv') } });
    expect(entra.rows.map((r) => [r.email, r.result])).toEqual([['margaret@entra.test', 'new'], ['annie@entra.test', 'new']]);

    // Uploaded bytes: BOM, semicolons, a quoted semicolon, a formula taken as text, a client row without client seats.
    const semi = await owner.imports.preview({ source: { fileBase64: (await fixtureBytes('semicolon-bom.csv')).toString('base64'), fileName: 'semi.csv' } });
    expect(semi).toMatchObject({ source: 'csv', counts: { new: 2, error: 0 }, canRun: false, seats: { standard: { needed: 1 }, client: { needed: 1, free: 0 } } });
    expect(semi.columns.map((c) => c.field)).toEqual(['email', 'firstName', 'lastName', 'kind', 'role']);
    expect(semi.message).toBe('This import needs 1 Client User seats but only 0 are free. Buy 1 more Client User seats or remove rows.');

    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('People');
    sheet.addRow(['Email', 'First name', 'Last name', 'Kind']);
    sheet.addRow(['xl@book.test', 'Excel', 'Sheet', 'standard']);
    sheet.addRow(['f@book.test', { formula: 'CONCAT("A","B")', result: 'AB' }, 'Formula', 'User']);
    book.addWorksheet('Second').addRow(['not read']);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    const viaXlsx = await owner.imports.preview({ source: { xlsxBase64: xlsx.toString('base64') } });
    expect(viaXlsx).toMatchObject({ source: 'xlsx', total: 2, counts: { new: 2 } });
    const viaUpload = await owner.imports.preview({ source: { fileBase64: xlsx.toString('base64') } });
    expect(viaUpload).toMatchObject({ source: 'xlsx', total: 2 });
    const stored = await app.database.owner('imports').where({ id: viaXlsx.id }).first();
    expect(stored!.cells[1].cells[1]).toBe('=CONCAT("A","B")');

    const rows = await owner.imports.preview({ source: { rows: [{ email: 'json@rows.test', firstName: 'Jay', lastName: 'Son', kind: 'api' }] } });
    expect(rows).toMatchObject({ source: 'rows', counts: { new: 1 }, seats: { api: { needed: 1, free: 0 } }, canRun: false });

    expect(await count('users', { tenantId: tenant.id })).toBe(usersBefore);
    expect(await count('audit_events', { tenantId: tenant.id })).toBe(auditBefore);
  });

  it('classifies errors by line and field: duplicates, bad values, unknown roles, long cells; existing users skipped or updated', async () => {
    const { owner, tenant, input } = await signUp(app);
    await setSeats(tenant.id, 'standard', 20);
    await owner.users.create({ kind: 'standard', email: 'known@x.test', firstName: 'Known', lastName: 'Person' });
    const csv = csvOf([
      ['email', 'first name', 'last name', 'role', 'time zone', 'notes'],
      ['new@x.test', 'New', 'Person', '', '', 'x'.repeat(50_000)],
      ['NEW@x.test', 'Again', 'Person', '', '', ''],
      ['not-an-email', 'Bad', 'Email', '', '', ''],
      ['tz@x.test', 'Bad', 'Zone', '', 'Mars/Base', ''],
      ['role@x.test', 'Bad', 'Role', 'Emperor', '', ''],
      ['long@x.test', 'y'.repeat(5000), 'Long', '', '', ''],
      ['known@x.test', 'Renamed', 'Person', '', '', ''],
      [input.email, 'Ada', 'Lovelace', '', '', ''],
    ]);
    const skip = await owner.imports.preview({ source: { csv } });
    expect(skip.counts).toEqual({ new: 1, update: 0, unchanged: 2, error: 5 });
    expect(skip.rows.filter((r) => r.result === 'error')).toEqual([
      { line: 3, result: 'error', email: 'NEW@x.test', errors: [{ field: 'email', message: 'This email is already on line 2 of this file' }] },
      { line: 4, result: 'error', email: 'not-an-email', errors: [{ field: 'email', message: 'Enter a valid email address' }] },
      { line: 5, result: 'error', email: 'tz@x.test', errors: [{ field: 'timeZone', message: 'Use an IANA time zone such as Europe/Paris' }] },
      { line: 6, result: 'error', email: 'role@x.test', errors: [{ field: 'role', message: 'There is no role named "Emperor" in this workspace' }] },
      { line: 7, result: 'error', email: 'long@x.test', errors: [{ field: 'firstName', message: 'Use at most 100 characters' }] },
    ]);
    expect(skip.canRun).toBe(false);
    expect(skip.message).toMatch(/^5 rows have errors/);
    expect(await refusal(owner.imports.start({ id: skip.id }))).toMatchObject({ code: 'BAD_REQUEST', message: skip.message });

    const update = await owner.imports.preview({ source: { csv }, updateExisting: true });
    expect(update.rows.find((r) => r.email === 'known@x.test')).toEqual({ line: 8, result: 'update', email: 'known@x.test' });
    expect(update.rows.find((r) => r.email === input.email)?.result).toBe('unchanged');

    // Only existing users in "skip existing" mode: a notice, not an error, and the report says skipped.
    const none = await owner.imports.preview({ source: { csv: csvOf([['email', 'first name', 'last name'], ['known@x.test', 'Renamed', 'Person']]) } });
    expect(none).toMatchObject({ canRun: false, nothingToDo: true, counts: { unchanged: 1 } });
    expect(none.message).toMatch(/^Nothing to do: every row is a user who already exists, and existing users are skipped/);
    expect((await owner.imports.report({ id: none.id })).split('\r\n')[1]).toBe('2,known@x.test,skipped (exists),,');
    expect(skip.nothingToDo).toBe(false);
  });

  it('lets a lesser role update nobody who holds permissions it lacks', async () => {
    const { owner, tenant, input } = await signUp(app);
    await setSeats(tenant.id, 'standard', 20);
    await insertUser(app, tenant.id, { email: `admin@${tenant.slug}.test`, roleKey: 'admin', password: 'admin password 1234' });
    const cookies = memoryCookies();
    await (await app.caller(cookies)).auth.login({ workspace: tenant.slug, email: `admin@${tenant.slug}.test`, password: 'admin password 1234' });
    const admin = await app.caller(cookies);
    expect((await owner.users.list({})).items).toHaveLength(2);
    const preview = await admin.imports.preview({ source: { csv: csvOf([['email', 'first name', 'last name', 'role'], [input.email, 'Evil', 'Twin', ''], ['n@x.test', 'New', 'Owner', 'Owner']]) }, updateExisting: true });
    expect(preview.rows).toEqual([
      { line: 2, result: 'error', email: input.email, errors: [{ field: 'email', message: 'You cannot edit this user: their role, Owner, has permissions you do not have (billing.manage)' }] },
      { line: 3, result: 'error', email: 'n@x.test', errors: [{ field: 'role', message: 'You cannot give the Owner role: it has permissions you do not have (billing.manage).' }] },
    ]);
  });

  it('takes the email from Entra\'s mail column, not the user principal name (the UPN only where mail is blank)', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 10);
    const entra = csvOf([
      ['userPrincipalName', 'displayName', 'givenName', 'surname', 'mail'],
      ['mhamilton@contoso.onmicrosoft.com', 'Margaret Hamilton', 'Margaret', 'Hamilton', 'margaret.hamilton@contoso.test'],
      ['aeasley@contoso.onmicrosoft.com', 'Annie Easley', 'Annie', 'Easley', ''],
    ]);
    const preview = await owner.imports.preview({ source: { csv: entra } });
    expect(preview.columns).toEqual([
      { header: 'userPrincipalName', field: null }, { header: 'displayName', field: 'displayName' }, { header: 'givenName', field: 'firstName' },
      { header: 'surname', field: 'lastName' }, { header: 'mail', field: 'email' },
    ]);
    expect(preview.rows.map((r) => [r.email, r.result])).toEqual([['margaret.hamilton@contoso.test', 'new'], ['aeasley@contoso.onmicrosoft.com', 'new']]);
    // Without a mail column the UPN is the email.
    const upnOnly = await owner.imports.preview({ source: { csv: csvOf([['userPrincipalName', 'givenName', 'surname'], ['upn@contoso.test', 'Up', 'N']]) } });
    expect(upnOnly.rows).toEqual([{ line: 2, result: 'new', email: 'upn@contoso.test' }]);
  });

  it('keeps a preview without an email column, listing its columns, and classifies the rows once the admin maps one', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 10);
    const unmapped = await owner.imports.preview({ source: { csv: 'E-Mail Addr,First name,Last name\nada@map.test,Ada,Lovelace\n' } });
    expect(unmapped).toMatchObject({ status: 'previewed', total: 1, canRun: false, needsEmailColumn: true, counts: { new: 0, update: 0, unchanged: 0, error: 0 }, rows: [] });
    expect(unmapped.message).toBe('No column holds the email address. The columns found are: "E-Mail Addr", "First name", "Last name". Choose the Email column below and preview again.');
    expect(unmapped.columns).toEqual([{ header: 'E-Mail Addr', field: null }, { header: 'First name', field: 'firstName' }, { header: 'Last name', field: 'lastName' }]);
    expect(await refusal(owner.imports.start({ id: unmapped.id }))).toMatchObject({ code: 'BAD_REQUEST', message: unmapped.message });
    const mapped = await owner.imports.preview({ source: { importId: unmapped.id }, columns: { 'E-Mail Addr': 'email' } });
    expect(mapped).toMatchObject({ total: 1, canRun: true, needsEmailColumn: false, counts: { new: 1 }, rows: [{ line: 2, result: 'new', email: 'ada@map.test' }] });
    expect((await owner.imports.get({ id: unmapped.id })).message).toBe(unmapped.message);
  });

  it('refuses bad files with a message naming the problem', async () => {
    const { owner, tenant } = await signUp(app);
    const before = await count('imports', { tenantId: tenant.id });
    const file = (bytes: Buffer | string) => () => owner.imports.preview({ source: { fileBase64: Buffer.from(bytes).toString('base64') } });
    const csv = (text: string) => () => owner.imports.preview({ source: { csv: text } });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [file(''), /This file is empty/],
      [csv('\ufeff\r\n\r\n'), /This file is empty/],
      [csv('Email,First name,Last name\r\n'), /header line but no rows/],
      [file(Buffer.from('Email,First name\nzoë@x.test,Zoë\n', 'latin1')), /not UTF-8/],
      [file(Buffer.from('%PDF-1.7 binary')), /PDF, not a spreadsheet/],
      [file(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), /old Excel file \(\.xls\)/],
      [file(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)])), /XLSX workbook cannot be read/],
      [() => owner.imports.preview({ source: { xlsxBase64: Buffer.from('not a zip').toString('base64') } }), /not an XLSX workbook/],
      [csv(`Email\n${'a@b.test\n'.repeat(50_001)}`), /more than 50,000 rows/],
      [csv('x'.repeat(20 * 1024 * 1024 + 1)), /at most 20 MB/],
    ];
    for (const [call, message] of cases) {
      const refused = await refusal(call());
      expect(refused.code, String(message)).toBe('BAD_REQUEST');
      expect(refused.message).toMatch(message);
    }
    expect(await count('imports', { tenantId: tenant.id })).toBe(before);
  });

  it('answers 413 over HTTP before reading a body beyond the upload limit', async () => {
    const { url } = await startHttp(app.deps);
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${url}/trpc/imports.preview`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(40 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status.status).toBe(413);
    expect(status.body).toContain('larger than 20 MB');
  });
});

describe('the users.import run (all or nothing)', () => {
  it('creates every user through the worker, claims the seats, enqueues invitations and audits once plus once per user', async () => {
    const worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5, now: app.clock.now });
    onCleanup(() => worker.stop());
    const { owner, tenant, input } = await signUp(app);
    await setSeats(tenant.id, 'standard', 5);
    await setSeats(tenant.id, 'api', 1);
    const preview = await owner.imports.preview({ source: { rows: [...people(tenant.slug, 3), { Email: `bot@${tenant.slug}.test`, 'First name': 'Bot', 'Last name': 'One', Kind: 'api' }] } });
    expect(preview.canRun).toBe(true);
    expect(await owner.imports.start({ id: preview.id })).toEqual({ id: preview.id, status: 'queued' });
    await expect.poll(async () => (await owner.imports.get({ id: preview.id })).status).toBe('done');
    expect(await owner.imports.get({ id: preview.id })).toMatchObject({ total: 4, done: 4, counts: { new: 4 } });
    const users = await usersOf(tenant.id);
    expect(users.filter((u) => u.email.endsWith(`${tenant.slug}.test`) && u.email !== input.email).map((u) => [u.email, u.status, u.kind])).toEqual([
      [`bot@${tenant.slug}.test`, 'active', 'api'], [`p0@${tenant.slug}.test`, 'invited', 'standard'], [`p1@${tenant.slug}.test`, 'invited', 'standard'], [`p2@${tenant.slug}.test`, 'invited', 'standard'],
    ]);
    const audit = await app.database.owner('audit_events').where({ tenantId: tenant.id }).whereIn('action', ['users.imported', 'user.created']);
    expect(audit.filter((a) => a.action === 'user.created')).toHaveLength(4);
    expect(audit.find((a) => a.action === 'users.imported')!.after).toMatchObject({ new: 4, update: 0, unchanged: 0, error: 0, total: 4 });
    expect(await count('seat_holding_changes', { tenantId: tenant.id, reason: 'imported' })).toBe(4);
    const invitations = await app.database.owner('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'tenantId' = ?`, [tenant.id]).whereRaw(`data->'link'->>'purpose' = 'invitation'`);
    expect(invitations).toHaveLength(3);
    expect((await owner.imports.list({})).map((i) => [i.id, i.status, i.createdByLabel])).toContainEqual([preview.id, 'done', owner ? expect.any(String) : null]);
    const report = await owner.imports.report({ id: preview.id });
    expect(report.split('\r\n')[0]).toBe('line,email,result,fields,messages');
    expect(report.split('\r\n')[1]).toBe(`1,p0@${tenant.slug}.test,created,,`);
    expect(await refusal(owner.imports.start({ id: preview.id }))).toMatchObject({ code: 'BAD_REQUEST', message: 'This import has already been started (it is done).' });
  });

  it('updates existing users and holds invitations when asked', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 5);
    const known = await owner.users.create({ kind: 'standard', email: `k@${tenant.slug}.test`, firstName: 'Known', lastName: 'Person' });
    const preview = await owner.imports.preview({
      source: { rows: [{ Email: `k@${tenant.slug}.test`, 'First name': 'Renamed', 'Last name': 'Person', Role: 'Admin' }, ...people(tenant.slug, 1)] },
      updateExisting: true,
      sendInvitations: false,
    });
    const jobsBefore = await count('pgboss.job', { name: 'email.send' });
    await owner.imports.start({ id: preview.id });
    expect(await run(tenant.id, preview.id)).toMatchObject({ status: 'done', counts: { new: 1, update: 1 } });
    expect(await app.database.owner('users').where({ id: known.id }).first()).toMatchObject({ firstName: 'Renamed', roleId: expect.any(String) });
    expect(await count('pgboss.job', { name: 'email.send' })).toBe(jobsBefore);
    const updated = await app.database.owner('audit_events').where({ tenantId: tenant.id, action: 'user.updated', targetId: known.id }).first();
    expect(updated!.before).toMatchObject({ firstName: 'Known' });
    // A rerun of the same job (delivered twice) writes nothing twice.
    expect(await run(tenant.id, preview.id)).toMatchObject({ skipped: true, status: 'done' });
    expect(await count('audit_events', { tenantId: tenant.id, action: 'users.imported' })).toBe(1);
  });

  it('fails the whole run, writing nothing, when an email was taken after the preview', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 10);
    const preview = await owner.imports.preview({ source: { rows: people(tenant.slug, 3) } });
    await owner.imports.start({ id: preview.id });
    await owner.users.create({ kind: 'standard', email: `p2@${tenant.slug}.test`, firstName: 'Quick', lastName: 'Hire' });
    const usersBefore = await count('users', { tenantId: tenant.id });
    const outcome = await run(tenant.id, preview.id);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining(`line 3: email: This email was taken since the preview`) });
    expect(await count('users', { tenantId: tenant.id })).toBe(usersBefore);
    expect(await count('audit_events', { tenantId: tenant.id, action: 'users.imported' })).toBe(0);
    expect(await owner.imports.get({ id: preview.id })).toMatchObject({ status: 'failed', message: (outcome as { message: string }).message });
    expect(await owner.imports.report({ id: preview.id })).toContain(`3,p2@${tenant.slug}.test,error,email,email: This email was taken since the preview`);
  });

  it('lets only one of two imports racing for the last seat win', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 2);
    const a = await owner.imports.preview({ source: { rows: people(tenant.slug, 1, 0) } });
    const b = await owner.imports.preview({ source: { rows: people(tenant.slug, 1, 1) } });
    await owner.imports.start({ id: a.id });
    await owner.imports.start({ id: b.id });
    const outcomes = await Promise.all([run(tenant.id, a.id), run(tenant.id, b.id)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'failed']);
    expect(outcomes.find((o) => o.status === 'failed')).toMatchObject({
      message: 'Nothing was imported. This import needs 1 User seats but only 0 are free. Buy 1 more User seats or remove rows.',
    });
    expect((await owner.seats.summary()).standard).toMatchObject({ purchased: 2, used: 2 });
  });

  it('never exceeds the limit when single creates race an import', async () => {
    const { owner, tenant } = await signUp(app);
    await setSeats(tenant.id, 'standard', 4);
    const preview = await owner.imports.preview({ source: { rows: people(tenant.slug, 2, 0) } });
    await owner.imports.start({ id: preview.id });
    const singles = [10, 11, 12].map((n) => owner.users.create({ kind: 'standard', email: `s${n}@${tenant.slug}.test`, firstName: 'Single', lastName: String(n) }).then(() => 'created', () => 'refused'));
    const [outcome, ...created] = await Promise.all([run(tenant.id, preview.id), ...singles]);
    const summary = (await owner.seats.summary()).standard;
    expect(summary.used).toBeLessThanOrEqual(4);
    expect(summary.used).toBe(1 + (outcome.status === 'done' ? 2 : 0) + created.filter((c) => c === 'created').length);
  });
});

describe('a worker killed with SIGKILL in the middle of an import', () => {
  it('leaves nothing behind, and the restarted worker reruns the job from the start, writing everything once', async () => {
    // A database of its own: the worker started above (in this process, on the file's database) must not take the job.
    const fresh = await createTestApp();
    const db = fresh.database.owner;
    const tally = async (table: string, where: Record<string, unknown>) => Number((await db(table).where(where).count({ n: '*' }))[0].n);
    const { owner, tenant, input } = await signUp(fresh);
    await db('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: 10 });
    const preview = await owner.imports.preview({ source: { rows: people(tenant.slug, 6) } });
    expect(preview.canRun).toBe(true);
    await owner.imports.start({ id: preview.id });

    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: fresh.database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent', JOB_MAINTENANCE_SECONDS: '1', INACTIVITY_CRON: '0 3 1 1 *' };
    const startProcess = (extra: Partial<NodeJS.ProcessEnv> = {}) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
      onCleanup(() => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : (child.once('exit', r), child.kill('SIGTERM')))));
      return child;
    };

    // The first worker writes 2 users, shows it on the progress row (its own connection), then holds its transaction open.
    const first = startProcess({ TEST_IMPORT_HOLD_AFTER_ROWS: '2' });
    await waitFor('the run to be held after 2 rows', async () => {
      const progress = await owner.imports.get({ id: preview.id });
      return progress.status === 'running' && progress.done === 2;
    });
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;

    // All or nothing: the transaction died with the process.
    expect(await tally('users', { tenantId: tenant.id })).toBe(1);
    expect(await tally('audit_events', { tenantId: tenant.id, action: 'user.created' })).toBe(0);
    expect(await tally('seat_holding_changes', { tenantId: tenant.id, reason: 'imported' })).toBe(0);
    const invitations = () => db('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'tenantId' = ?`, [tenant.id]).whereRaw(`data->'link'->>'purpose' = 'invitation'`);
    expect(await invitations()).toHaveLength(0);

    // The job is still active in the dead worker's name: let it expire and be retried in seconds, not 15 minutes.
    const { rows: jobs } = await db.raw(
      `update pgboss.job set expire_in = interval '1 second', retry_delay = 1, retry_backoff = false
       where name = 'users.import' and data->>'importId' = ? returning id, state`,
      [preview.id],
    );
    expect(jobs).toEqual([{ id: expect.any(String), state: 'active' }]);

    startProcess();
    await waitFor('the rerun to finish', async () => (await owner.imports.get({ id: preview.id })).status === 'done');
    expect(await owner.imports.get({ id: preview.id })).toMatchObject({ total: 6, done: 6, counts: { new: 6 } });
    const imported = await db('users').where({ tenantId: tenant.id }).whereNot({ email: input.email }).orderBy('email');
    expect(imported.map((u) => u.email)).toEqual(people(tenant.slug, 6).map((p) => p.Email).sort());
    expect(await tally('users', { tenantId: tenant.id })).toBe(7);
    const created = await db('audit_events').where({ tenantId: tenant.id, action: 'user.created' });
    expect(created.map((a) => a.targetId).sort()).toEqual(imported.map((u) => u.id).sort());
    expect(await tally('audit_events', { tenantId: tenant.id, action: 'users.imported' })).toBe(1);
    expect(await tally('seat_holding_changes', { tenantId: tenant.id, reason: 'imported' })).toBe(6);
    expect((await invitations()).map((j) => j.data.to).sort()).toEqual(imported.map((u) => u.email));
    await waitFor('the job to complete on its retry', async () => {
      const job = await db('pgboss.job').where({ id: jobs[0].id }).first();
      return job?.state === 'completed' && job.retryCount === 1;
    });
  }, 60_000);
});
