import { spawn } from 'node:child_process';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_WEBHOOK_SECRET } from '../server/shared/env';
import { startBilling } from './helpers/billing';
import { refusal } from './helpers/errors';
import { insertUser, signUp } from './helpers/factories';
import { memoryCookies } from './helpers/app';
import { onCleanup } from './setup/cleanup';
import { waitFor } from './helpers/wait';

let env: Awaited<ReturnType<typeof startBilling>>;
beforeAll(async () => {
  env = await startBilling();
});


/** A workspace that bought `quantity` seats of `seatType` through Checkout, processed by the worker. */
async function buy(seatType: 'standard' | 'client' | 'api', quantity: number, ws?: Awaited<ReturnType<typeof signUp>>) {
  const workspace = ws ?? (await signUp(env.app));
  const { url, sessionId } = await workspace.owner.billing.createCheckout({ seatType, quantity });
  const paid = await fetch(`${url}/pay`.replace(`/checkout/${sessionId}/pay`, `/checkout/${sessionId}/pay`), { method: 'POST', redirect: 'manual' });
  expect(paid.status).toBe(303);
  await waitFor('the checkout to be confirmed', async () => (await workspace.owner.billing.checkoutStatus({ sessionId })).status === 'confirmed');
  const session = env.emulator.sessions.get(sessionId)!;
  return { ...workspace, sessionId, subscriptionId: session.subscription as string };
}

const purchased = async (ws: Awaited<ReturnType<typeof signUp>>, type: 'standard' | 'client' | 'api') => (await ws.owner.seats.summary())[type].purchased;

describe('billing.createCheckout', () => {
  it('opens a subscription Checkout for the tenant customer with the price, quantity, tenant reference and idempotency key', async () => {
    const ws = await signUp(env.app);
    const { url, sessionId } = await ws.owner.billing.createCheckout({ seatType: 'client', quantity: 5 });
    const tenant = (await env.app.database.owner('tenants').where({ id: ws.tenant.id }).first())!;
    expect(tenant.stripeCustomerId).toMatch(/^cus_/);
    const session = env.emulator.sessions.get(sessionId)!;
    expect(url).toBe(`${env.emulator.url}/checkout/${sessionId}`);
    expect(session).toMatchObject({
      mode: 'subscription',
      customer: tenant.stripeCustomerId,
      client_reference_id: ws.tenant.id,
      line_items: [{ price: 'price_emulated_client', quantity: '5' }],
      metadata: { tenantId: ws.tenant.id, seatType: 'client' },
    });
    expect(session.idempotency_key).toBe(`checkout-${session.metadata.operationId}`);
    // The customer is created once.
    await ws.owner.billing.createCheckout({ seatType: 'api', quantity: 1 });
    expect([...env.emulator.customers.values()].filter((c) => c.metadata.tenantId === ws.tenant.id)).toHaveLength(1);
  });

  it.each([
    ['quantity 0', { seatType: 'client', quantity: 0 }],
    ['quantity 1001', { seatType: 'client', quantity: 1001 }],
    ['a fractional quantity', { seatType: 'client', quantity: 2.5 }],
    ['an unknown seat type', { seatType: 'gold', quantity: 1 }],
  ])('refuses %s with BAD_REQUEST and opens nothing', async (_what, input) => {
    const ws = await signUp(env.app);
    const before = env.emulator.sessions.size;
    expect((await refusal(ws.owner.billing.createCheckout(input as never))).code).toBe('BAD_REQUEST');
    expect(env.emulator.sessions.size).toBe(before);
  });

  it('is FORBIDDEN to a Member (and to an Admin: billing is the Owner’s)', async () => {
    const ws = await signUp(env.app);
    for (const roleKey of ['member', 'admin']) {
      const password = 'a good long password';
      const user = await insertUser(env.app, ws.tenant.id, { email: `${roleKey}@billing.test`, roleKey, password });
      const cookies = memoryCookies();
      await (await env.app.caller(cookies)).auth.login({ workspace: ws.tenant.slug, email: user.email, password });
      expect((await refusal((await env.app.caller(cookies)).billing.createCheckout({ seatType: 'client', quantity: 1 }))).code).toBe('FORBIDDEN');
    }
  });
});

describe('POST /webhooks/stripe', () => {
  const event = (id = `evt_test_${Math.random().toString(36).slice(2)}`) =>
    JSON.stringify({ id, object: 'event', type: 'customer.subscription.updated', data: { object: { id: 'sub_x', object: 'subscription', customer: 'cus_nobody' } } });
  const post = (payload: string, signature?: string) =>
    fetch(`${env.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body: payload });
  const counts = async () => ({
    events: Number((await env.app.database.owner('stripe_events').count({ n: '*' }))[0].n),
    jobs: Number((await env.app.database.owner('pgboss.job').where({ name: 'stripe.event' }).count({ n: '*' }))[0].n),
  });

  it('stores and acknowledges a signed event', async () => {
    const payload = event('evt_test_valid');
    const before = await counts();
    const response = await post(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: EMULATOR_WEBHOOK_SECRET }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
    expect((await env.app.database.owner('stripe_events').where({ id: 'evt_test_valid' }).first())!.type).toBe('customer.subscription.updated');
  });

  it.each([
    ['a flipped byte', (p: string) => ({ payload: p.replace('updated', 'upd4ted'), signature: Stripe.webhooks.generateTestHeaderString({ payload: p, secret: EMULATOR_WEBHOOK_SECRET }) })],
    ['a wrong secret', (p: string) => ({ payload: p, signature: Stripe.webhooks.generateTestHeaderString({ payload: p, secret: 'whsec_wrong' }) })],
    ['an old timestamp', (p: string) => ({ payload: p, signature: Stripe.webhooks.generateTestHeaderString({ payload: p, secret: EMULATOR_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 }) })],
    ['no signature', (p: string) => ({ payload: p, signature: undefined })],
  ])('refuses %s with 400, storing and enqueuing nothing', async (_what, make) => {
    const before = await counts();
    const { payload, signature } = make(event());
    const response = await post(payload, signature);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/signature/i);
    expect(await counts()).toEqual(before);
  });
});

describe('seats from subscription state (the stripe.event job)', () => {
  it('buying 5 Client User seats makes them usable at once, with a ledger entry, an audit event and an email job', async () => {
    const ws = await signUp(env.app);
    const refused = await refusal(ws.owner.users.create({ kind: 'client', email: 'c@client.test', firstName: 'C', lastName: 'C' }));
    expect(refused.message).toBe("You don't have any Purchased Client User, You need to buy more client users to create this user");
    await buy('client', 5, ws);
    expect(await purchased(ws, 'client')).toBe(5);
    expect((await ws.owner.users.create({ kind: 'client', email: 'c@client.test', firstName: 'C', lastName: 'C' })).status).toBe('invited');
    const history = await ws.owner.billing.history();
    expect(history.ledger.map((l) => [l.seatType, l.purchasedBefore, l.purchasedAfter])).toEqual([['client', 0, 5]]);
    expect((await ws.owner.audit.list({ action: 'seats.' })).items[0]).toMatchObject({ actorType: 'stripe', after: { purchased: 5 } });
    const mail = await env.app.database.owner('pgboss.job').where({ name: 'email.send' }).whereRaw(`data->>'template' = 'seats-changed' and data->>'tenantId' = ?`, [ws.tenant.id]);
    expect(mail).toHaveLength(1);
  });

  it('the same event delivered 5 times in a row and 5 times at once is stored once and changes seats once', async () => {
    const ws = await buy('standard', 2);
    const original = env.emulator.delivered.find((e) => e.type === 'customer.subscription.created' && e.data.object.id === ws.subscriptionId)!;
    for (let i = 0; i < 5; i++) expect((await env.emulator.redeliver(original)).status).toBe(200);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => env.emulator.redeliver(original)));
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await env.app.database.owner('stripe_events').where({ id: original.id })).toHaveLength(1);
    // The duplicates enqueued nothing: the event has its one job, and every job has run.
    const owner = env.app.database.owner;
    const eventJobs = await owner('pgboss.job').where({ name: 'stripe.event' }).whereRaw(`data->>'eventId' = ?`, [original.id]);
    expect(eventJobs).toHaveLength(1);
    const customer = (await owner('tenants').where({ id: ws.tenant.id }).first())!.stripeCustomerId;
    const pending = () =>
      owner('pgboss.job as j')
        .join('stripe_events as e', 'e.id', owner.raw(`j.data->>'eventId'`))
        .where('j.name', 'stripe.event')
        .whereRaw(`e.payload->'data'->'object'->>'customer' = ?`, [customer])
        .whereNot('j.state', 'completed');
    await waitFor("every job of the workspace's events to complete", async () => (await pending()).length === 0);
    expect((await owner('stripe_events').where({ id: original.id }).first())!.processedAt).toBeInstanceOf(Date);
    expect(await purchased(ws, 'standard')).toBe(5);
    expect((await ws.owner.billing.history()).ledger).toHaveLength(1);
  });

  it('out of order: a newer state processed first is never rolled back by an older event', async () => {
    const ws = await buy('api', 5);
    const older = env.emulator.delivered.find((e) => e.type === 'customer.subscription.created' && e.data.object.id === ws.subscriptionId)!;
    await env.emulator.setQuantity(ws.subscriptionId, 10);
    await waitFor('10 API seats', async () => (await purchased(ws, 'api')) === 10);
    // The older event arrives late, under a new id as a distinct delivery: its stale payload says 5.
    const late = { ...older, id: `${older.id}_late` };
    expect((await env.emulator.redeliver(late)).status).toBe(200);
    await waitFor('the late event to be processed', async () => (await env.app.database.owner('stripe_events').where({ id: late.id }).first())?.processedAt);
    expect(await purchased(ws, 'api')).toBe(10);
  });

  it.each(['cancel', 'fail-payment'])('after %s the seats go back to the included ones, nobody is removed, and creation is refused', async (action) => {
    const ws = await buy('standard', 3);
    for (let i = 0; i < 4; i++) await ws.owner.users.create({ kind: 'standard', email: `u${i}@${action}.test`, firstName: 'U', lastName: String(i) });
    expect((await ws.owner.seats.summary()).standard).toMatchObject({ purchased: 6, used: 5 });
    const response = await fetch(`${env.emulator.url}/portal/subscriptions/${ws.subscriptionId}/${action}`, { method: 'POST', redirect: 'manual' });
    expect(response.status).toBe(303);
    await waitFor('the seats to drop', async () => (await purchased(ws, 'standard')) === 3);
    expect((await ws.owner.seats.summary()).standard).toMatchObject({ purchased: 3, used: 5, overLimit: true, overBy: 2 });
    expect(await env.app.database.owner('users').where({ tenantId: ws.tenant.id }).whereIn('status', ['invited', 'active'])).toHaveLength(5);
    const refused = await refusal(ws.owner.users.create({ kind: 'standard', email: `more@${action}.test`, firstName: 'M', lastName: 'M' }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'You have reached Purchased User limit as 3 User, You need to buy more users to create this user' });
  });
});

describe('a worker killed while processing a stripe.event job', () => {
  it('completes the job after a restart, with the right state', async () => {
    const slow = await startBilling({ worker: false, subscriptionReadDelayMs: 4000 });
    const ws = await signUp(slow.app);
    const { sessionId } = await ws.owner.billing.createCheckout({ seatType: 'client', quantity: 7 });
    await fetch(`${slow.emulator.url}/checkout/${sessionId}/pay`, { method: 'POST', redirect: 'manual' });
    const owner = slow.app.database.owner;
    await waitFor('the events to be stored', async () => Number((await owner('pgboss.job').where({ name: 'stripe.event' }).count({ n: '*' }))[0].n) >= 3);
    const env0: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: slow.app.database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent', JOB_MAINTENANCE_SECONDS: '1', STRIPE_EMULATOR_URL: slow.emulator.url };
    const start = () => spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], { env: env0, stdio: ['ignore', 'ignore', 'inherit'] });
    const first = start();
    await waitFor('a job in flight', async () => (await owner('pgboss.job').where({ name: 'stripe.event', state: 'active' }).first()) ?? null);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // A short expiry (longer than the slowed job), so pg-boss soon hands the killed worker's jobs
    // on. Set once the worker is dead: before, its second work loop could still take a job that
    // kept the 2-minute expiry and outlived the test.
    await owner('pgboss.job').where({ name: 'stripe.event', state: 'active' }).update({ expireIn: owner.raw(`interval '8 seconds'`), retryDelay: 0 });
    expect(await purchased(ws, 'client')).toBe(0);

    const second = start();
    onCleanup(() => new Promise((r) => (second.once('exit', r), second.kill('SIGTERM'))));
    await waitFor('the seats', async () => (await purchased(ws, 'client')) === 7, 45_000);
    await waitFor('every job to complete', async () => (await owner('pgboss.job').where({ name: 'stripe.event' }).whereNot({ state: 'completed' })).length === 0, 45_000);
    expect((await ws.owner.billing.history()).ledger).toHaveLength(1);
  }, 90_000);
});

describe('billing.createCheckout returnTo (issue #18)', () => {
  it('comes back to a page of this site: through the billing page once paid, straight there when canceled', async () => {
    const ws = await signUp(env.app);
    const { sessionId } = await ws.owner.billing.createCheckout({ seatType: 'client', quantity: 1, returnTo: '/users/new?kind=client' });
    const session = env.emulator.sessions.get(sessionId)!;
    const app = env.app.env.APP_URL;
    expect(session.success_url).toBe(`${app}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}&returnTo=%2Fusers%2Fnew%3Fkind%3Dclient`);
    expect(session.cancel_url).toBe(`${app}/users/new?kind=client&checkout=canceled`);
  });

  it('refuses another origin, a protocol-relative or backslashed path, a scheme or a bare word with 400 and a clear message, and opens nothing', async () => {
    const ws = await signUp(env.app);
    const cookie = [...ws.cookies.values].map(([name, value]) => `${name}=${value}`).join('; ');
    const bad = ['//evil.test/x', 'https://evil.test/users', '/\\evil.test', '\\\\evil.test', '/users\\..\\\\evil.test', 'javascript:alert(1)', 'users/new', '/\t/evil.test', '', `/${'a'.repeat(600)}`];
    for (const returnTo of bad) {
      const response = await fetch(`${env.url}/trpc/billing.createCheckout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ seatType: 'client', quantity: 1, returnTo }),
      });
      expect(response.status, returnTo).toBe(400);
      const { error } = await response.json();
      expect(error.message, returnTo).toMatch(/^returnTo: /);
      expect(error.data.fieldErrors.returnTo, returnTo).toHaveLength(1);
    }
    expect((await refusal(ws.owner.billing.createCheckout({ seatType: 'client', quantity: 1, returnTo: '//evil.test' }))).message).toBe(
      'returnTo: Use a path of this site that starts with a single /, such as /users/new',
    );
    // Nothing was opened: no Stripe customer, no Checkout session, no audit event.
    expect((await env.app.database.owner('tenants').where({ id: ws.tenant.id }).first())!.stripeCustomerId).toBeNull();
    expect([...env.emulator.sessions.values()].filter((s) => s.client_reference_id === ws.tenant.id)).toHaveLength(0);
    expect(await env.app.database.owner('audit_events').where({ tenantId: ws.tenant.id }).whereLike('action', 'billing.%')).toHaveLength(0);
  });
});
