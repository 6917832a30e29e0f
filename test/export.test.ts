import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';

let app: TestApp;
let url: string;
beforeAll(async () => {
  app = await createTestApp();
  ({ url } = await startHttp(app.deps));
});

const setSeats = (tenantId: string, seatType: 'standard' | 'client' | 'api', included: number) =>
  app.database.owner('seat_pools').where({ tenantId, seatType }).update({ included });

async function signInOverHttp(workspace: string, email: string, password: string) {
  const response = await fetch(`${url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace, email, password }) });
  expect(response.status).toBe(200);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

describe('CSV exports (SPEC "Export")', () => {
  it('neutralises formulas, follows the list filters, and imports back with nothing changed', async () => {
    const { owner, tenant, input } = await signUp(app);
    await setSeats(tenant.id, 'standard', 10);
    await setSeats(tenant.id, 'client', 2);
    await setSeats(tenant.id, 'api', 1);
    const clients = (await owner.roles.list()).find((r) => r.name === 'Client')!;
    await owner.users.create({ kind: 'standard', email: 'formula@x.test', firstName: '=HYPERLINK("http://evil.test","click")', lastName: '+1', displayName: '@SUM(A1:A9)', userName: 'f.ormula' });
    await owner.users.create({ kind: 'standard', email: 'minus@x.test', firstName: '-2', lastName: 'Minus', timeZone: 'Europe/Paris', locale: 'fr-CA', samlNameId: 'minus-saml' });
    await owner.users.create({ kind: 'client', email: 'client@x.test', firstName: 'Cleo', lastName: 'Client, "Quoted"', roleId: clients.id });
    await owner.users.create({ kind: 'api', email: 'bot@x.test', firstName: 'Bot', lastName: 'Api' });
    const gone = await owner.users.create({ kind: 'standard', email: 'gone@x.test', firstName: 'Gone', lastName: 'Away' });
    await owner.users.setStatus({ id: gone.id, status: 'banned', reason: 'Policy' });

    const csv = await owner.users.export({});
    const rows: string[][] = parse(csv);
    expect(rows[0]).toEqual(['Email', 'First name', 'Last name', 'Display name', 'User name', 'Kind', 'Role', 'Time zone', 'Locale', 'SAML name id', 'Status', 'Last sign-in', 'Created']);
    expect(rows).toHaveLength(7);
    const formula = rows.find((r) => r[0] === 'formula@x.test')!;
    expect(formula.slice(1, 5)).toEqual(['\'=HYPERLINK("http://evil.test","click")', "'+1", "'@SUM(A1:A9)", 'f.ormula']);
    expect(rows.find((r) => r[0] === 'minus@x.test')!.slice(1, 2)).toEqual(["'-2"]);
    expect(rows.find((r) => r[0] === 'gone@x.test')![10]).toBe('banned');
    expect(csv.split('\r\n')[0]).toBe('Email,First name,Last name,Display name,User name,Kind,Role,Time zone,Locale,SAML name id,Status,Last sign-in,Created');

    expect(parse(await owner.users.export({ kind: 'client' }))).toHaveLength(2);
    expect(parse(await owner.users.export({ q: 'minus' })).map((r: string[]) => r[0])).toEqual(['Email', 'minus@x.test']);
    expect(parse(await owner.users.export({ status: 'banned' })).map((r: string[]) => r[0])).toEqual(['Email', 'gone@x.test']);

    // The round trip: every row matches a user as they are, so nothing would change.
    const back = await owner.imports.preview({ source: { csv }, updateExisting: true });
    expect(back).toMatchObject({ total: 6, counts: { new: 0, update: 0, unchanged: 6, error: 0 }, unknownColumns: ['Status', 'Last sign-in', 'Created'] });
    expect(back.rows.map((r) => r.email)).toContain(input.email);
  });

  it('streams users, sign-ins and the audit log over HTTP for a session, and refuses the rest', async () => {
    const { owner, tenant, input } = await signUp(app);
    await setSeats(tenant.id, 'standard', 10);
    await owner.users.create({ kind: 'standard', email: 'one@x.test', firstName: 'One', lastName: 'Person' });
    const cookie = await signInOverHttp(tenant.slug, input.email, input.password);

    const users = await fetch(`${url}/export/users.csv?kind=standard&q=`, { headers: { cookie } });
    expect(users.status).toBe(200);
    expect(users.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(users.headers.get('content-disposition')).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(await users.text()).toBe(await owner.users.export({ kind: 'standard' }));

    const signIns: string[][] = parse(await (await fetch(`${url}/export/login-history.csv?result=success`, { headers: { cookie } })).text());
    expect(signIns[0]).toEqual(['Time', 'Email', 'User', 'Result', 'Message', 'Address', 'Browser', 'Method']);
    expect(signIns.slice(1).map((r) => [r[1], r[3], r[7]])).toContainEqual([input.email, 'success', 'password']);
    const audit: string[][] = parse(await (await fetch(`${url}/export/audit.csv?action=user.created`, { headers: { cookie } })).text());
    expect(audit.slice(1).map((r) => r[3])).toEqual(['user.created']);
    expect(await owner.audit.export({ action: 'user.created' })).toContain('one@x.test');

    expect((await fetch(`${url}/export/users.csv`)).status).toBe(401);
    const bad = await fetch(`${url}/export/users.csv?status=sleeping`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    await insertUser(app, tenant.id, { email: `member@${tenant.slug}.test`, password: 'member password 1234' });
    const member = await signInOverHttp(tenant.slug, `member@${tenant.slug}.test`, 'member password 1234');
    const refused = await fetch(`${url}/export/users.csv`, { headers: { cookie: member } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('You need the users.read permission to do this.');
    const memberCaller = await app.caller();
    expect(await refusal(memberCaller.users.export({}))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
