import { beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import { createTestApp, type TestApp } from './helpers/app';
import { insertUser, signupInput } from './helpers/factories';
import { startWebProcess } from './helpers/processes';

let app: TestApp;
let servers: string[];

beforeAll(async () => {
  app = await createTestApp();
  const env = { DATABASE_URL: app.database.url };
  servers = (await Promise.all([startWebProcess(env), startWebProcess(env)])).map((s) => s.url);
}, 60_000);

const post = (server: string, path: string, body: unknown, cookie?: string) =>
  fetch(`${server}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

async function workspace(freeSeats: number) {
  const input = signupInput();
  const response = await post(servers[0], 'auth.signup', input);
  const { tenant, user } = (await response.json()).result.data;
  await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: 1 + freeSeats });
  return { tenant, owner: user, cookie: response.headers.get('set-cookie')!.split(';')[0] };
}

const seatHolders = (tenantId: string) =>
  app.database.owner('users').where({ tenantId }).whereIn('status', ['invited', 'active', 'suspended', 'locked']).count({ n: '*' }).then(([r]) => Number(r.n));

async function statuses(responses: Response[]) {
  const bodies = await Promise.all(responses.map((r) => r.json()));
  return {
    ok: responses.filter((r) => r.status === 200).length,
    seatLimit: bodies.filter((b) => b.error?.data?.reason === 'SEAT_LIMIT').length,
    serverErrors: responses.filter((r) => r.status >= 500).length,
  };
}

describe('the seat rule across two web processes (real concurrency)', () => {
  it('60 parallel creations against 3 free seats: exactly 3 created, 57 refused, no 5xx', async () => {
    const { tenant, cookie } = await workspace(3);
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(servers[i % 2], 'users.create', { kind: 'standard', email: `race${i}@example.test`, firstName: 'Race', lastName: String(i) }, cookie),
      ),
    );
    expect(await statuses(responses)).toEqual({ ok: 3, seatLimit: 57, serverErrors: 0 });
    expect(await seatHolders(tenant.id)).toBe(4);
  });

  it('parallel reactivations against 3 free seats: exactly 3 succeed', async () => {
    const { tenant, cookie } = await workspace(3);
    const users = await Promise.all(
      Array.from({ length: 20 }, (_, i) => insertUser(app, tenant.id, { email: `back${i}@example.test`, status: 'deactivated' })),
    );
    const responses = await Promise.all(users.map((u, i) => post(servers[i % 2], 'users.setStatus', { id: u.id, status: 'active' }, cookie)));
    expect(await statuses(responses)).toEqual({ ok: 3, seatLimit: 17, serverErrors: 0 });
    expect(await seatHolders(tenant.id)).toBe(4);
  });

  it('invitation acceptances racing creations: invitees keep their seats, creations fill only what is free', async () => {
    const { tenant, cookie } = await workspace(3);
    const invitees = await Promise.all(
      [0, 1].map((i) => insertUser(app, tenant.id, { email: `invitee${i}@example.test`, status: 'invited', password: null })),
    );
    const tokens = await app.database.owner.transaction((trx) =>
      Promise.all(invitees.map((u) => issueOneTimeToken({ trx, tenantId: tenant.id, userId: u.id, purpose: 'invitation', now: new Date() }))),
    );
    const accepts = tokens.map((token, i) => post(servers[i % 2], 'auth.acceptInvite', { token, password: 'my own good password' }));
    const creates = Array.from({ length: 10 }, (_, i) =>
      post(servers[i % 2], 'users.create', { kind: 'standard', email: `late${i}@example.test`, firstName: 'Late', lastName: String(i) }, cookie),
    );
    const [acceptResults, createResults] = await Promise.all([Promise.all(accepts), Promise.all(creates)]);
    expect(acceptResults.map((r) => r.status)).toEqual([200, 200]);
    expect(await statuses(createResults)).toEqual({ ok: 1, seatLimit: 9, serverErrors: 0 });
    expect(await seatHolders(tenant.id)).toBe(4);
  });
});
