import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorDetails } from '../server/trpc/trpc';
import { startWorker } from '../worker/worker';
import { createTestApp, memoryCookies, silentLog, startHttp, type TestApp } from './helpers/app';
import { countRows } from './helpers/db';
import { signUp, signupInput } from './helpers/factories';
import { recipients, startSmtp } from './helpers/smtp';

const TABLES = ['tenants', 'seat_pools', 'roles', 'users', 'sessions', 'audit_events', 'pgboss.job'];

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  smtp = await startSmtp();
  app = await createTestApp({ SMTP_URL: smtp.url });
  worker = await startWorker({ env: app.env, log: silentLog, pollingIntervalSeconds: 0.5 });
});
afterAll(() => worker.stop());

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('auth.signup', () => {
  it('creates the workspace, its seat pools, built-in roles, the active Owner, an audit event and a session', async () => {
    const cookies = memoryCookies();
    const input = signupInput({ companyName: 'Globex', slug: 'globex', email: 'Hank@Globex.test' });
    const result = await (await app.caller(cookies)).auth.signup(input);

    expect(result.tenant).toMatchObject({ slug: 'globex', name: 'Globex', inactivityDays: 90, lockoutThreshold: 10 });
    expect(result.user).toMatchObject({ kind: 'standard', status: 'active', email: 'Hank@Globex.test', displayName: 'Ada Lovelace' });
    expect(result.user).not.toHaveProperty('passwordHash');

    const db = app.database.owner;
    const tenantId = result.tenant.id;
    const pools = await db('seat_pools').where({ tenantId }).orderBy('seatType');
    expect(pools.map((p) => [p.seatType, p.included, p.purchased])).toEqual([
      ['standard', 3, 3],
      ['client', 0, 0],
      ['api', 0, 0],
    ]);
    const roles = await db('roles').where({ tenantId }).orderBy('name');
    expect(roles.map((r) => [r.name, r.audience, [...r.permissions].sort()])).toEqual([
      ['Admin', 'internal', ['audit.read', 'roles.manage', 'settings.manage', 'users.manage', 'users.read']],
      ['Client', 'client', []],
      ['Integration', 'api', ['users.manage', 'users.read']],
      ['Member', 'internal', []],
      ['Owner', 'internal', ['audit.read', 'billing.manage', 'roles.manage', 'settings.manage', 'users.manage', 'users.read']],
      ['Read Only', 'internal', []],
    ]);
    const users = await db('users').where({ tenantId });
    expect(users).toHaveLength(1);
    expect(users[0].roleId).toBe(roles.find((r) => r.name === 'Owner')!.id);
    expect(users[0].passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await db('audit_events').where({ tenantId });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId, a.targetId])).toEqual([
      ['tenant.created', 'user', users[0].id, tenantId],
    ]);
    expect(await db('sessions').where({ tenantId, userId: users[0].id })).toHaveLength(1);

    // The cookie set by sign-up is a working session: the Owner sees the seat cards of SPEC.
    const owner = await app.caller(cookies);
    const me = await owner.auth.me();
    expect(me.user!.id).toBe(users[0].id);
    expect(me.permissions).toContain('billing.manage');
    const seats = await owner.seats.summary();
    expect(seats.standard).toMatchObject({ purchased: 3, used: 1, available: 2, overLimit: false });
    expect(seats.client).toMatchObject({ purchased: 0, used: 0, available: 0 });
    expect(seats.api).toMatchObject({ purchased: 0, used: 0, available: 0 });
    expect((await owner.tenant.get()).slug).toBe('globex');
  });

  it('has the worker deliver the welcome email over SMTP', async () => {
    const { input } = await signUp(app, { email: 'grace@hopper.test', companyName: 'Hopper Labs' });
    const mail = await smtp.waitFor((m) => recipients(m).includes('grace@hopper.test'));
    expect(mail.subject).toBe('Welcome to Seatwise, Ada');
    expect(mail.text).toContain(`Your workspace Hopper Labs is ready`);
    expect(mail.text).toContain(`workspace=${input.slug}`);
    expect(mail.html).toContain('Open your dashboard');
  });

  it.each([
    ['companyName', { companyName: '' }],
    ['slug', { slug: 'ab' }],
    ['slug', { slug: 'has spaces' }],
    ['slug', { slug: 'x'.repeat(41) }],
    ['slug', { slug: '-leading' }],
    ['slug', { slug: 'admin' }],
    ['slug', { slug: 'www' }],
    ['firstName', { firstName: '   ' }],
    ['lastName', { lastName: '' }],
    ['email', { email: 'not-an-email' }],
    ['password', { password: 'elevenchars' }],
    ['password', { password: 'x'.repeat(129) }],
  ])('refuses a bad %s with BAD_REQUEST and writes nothing', async (field, overrides) => {
    const before = await countRows(app.database.owner, TABLES);
    const error = await refusal((await app.caller()).auth.signup(signupInput(overrides)));
    expect(error.code).toBe('BAD_REQUEST');
    expect(Object.keys(errorDetails(error).fieldErrors)).toEqual([field]);
    expect(await countRows(app.database.owner, TABLES)).toEqual(before);
  });

  it('refuses a taken workspace address in any letter case, and sends no email for it', async () => {
    await signUp(app, { slug: 'initech' });
    const before = await countRows(app.database.owner, TABLES);
    for (const slug of ['initech', 'INITECH', 'IniTech']) {
      const error = await refusal((await app.caller()).auth.signup(signupInput({ slug, email: 'bill@initech.test' })));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe('This workspace address is taken');
    }
    expect(await countRows(app.database.owner, TABLES)).toEqual(before);
  });

  it('reports every invalid field at once over HTTP with the field names', async () => {
    const { url } = await startHttp(app.deps);
    const response = await fetch(`${url}/trpc/auth.signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'X', slug: 'ok-slug', firstName: '', lastName: 'L', email: 'nope', password: 'short' }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(Object.keys(body.error.data.fieldErrors).sort()).toEqual(['email', 'firstName', 'password']);
  });
});
