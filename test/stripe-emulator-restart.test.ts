import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_WEBHOOK_SECRET } from '../server/shared/env';
import { EmulatorStateError, startStripeEmulator, type StripeEmulator } from '../server/stripe/emulator';
import { onCleanup } from './setup/cleanup';

/** The SDK as server/stripe/client.ts points it at the emulator. */
const sdk = (emulator: StripeEmulator) => new Stripe('sk_test_emulated', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

let webhookUrl = '';
const received: { type: string; data: { object: { id: string } } }[] = [];
let dir = '';

beforeAll(async () => {
  // Webhooks land here, so the emulator's deliveries finish at once instead of retrying.
  const hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/webhooks/stripe`;
  onCleanup(() => new Promise((resolve) => hooks.close(resolve)));
  dir = mkdtempSync(join(tmpdir(), 'seatwise-stripe-emulator-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
});

async function start(stateFile?: string) {
  const emulator = await startStripeEmulator({ webhookUrl, webhookSecret: EMULATOR_WEBHOOK_SECRET, stateFile });
  onCleanup(() => emulator.close());
  return emulator;
}

async function waitForEvent(type: string, objectId: string) {
  await expect.poll(() => received.some((e) => e.type === type && e.data.object.id === objectId)).toBe(true);
}

/** A customer and a paid subscription, the way Seatwise makes them: SDK calls and the Checkout page. */
async function subscribe(emulator: StripeEmulator, quantity: number) {
  const stripe = sdk(emulator);
  const customer = await stripe.customers.create({ name: 'Acme', metadata: { tenantId: 'tenant-1', workspace: 'acme' } }, { idempotencyKey: 'customer-tenant-1' });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    client_reference_id: 'tenant-1',
    line_items: [{ price: 'price_emulated_client', quantity }],
    metadata: { tenantId: 'tenant-1', seatType: 'client' },
    subscription_data: { metadata: { tenantId: 'tenant-1', seatType: 'client' } },
    success_url: 'http://127.0.0.1:1/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:1/billing?checkout=canceled',
  });
  const paid = await fetch(`${session.url}/pay`, { method: 'POST', redirect: 'manual' });
  expect(paid.status).toBe(303);
  const subscriptionId = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
  expect(subscriptionId).toMatch(/^sub_/);
  await waitForEvent('customer.subscription.created', subscriptionId);
  return { customer, sessionId: session.id, subscription: await stripe.subscriptions.retrieve(subscriptionId) };
}

describe('Stripe emulator: state across a restart', () => {
  it('a new emulator on the same state file knows the customers, subscriptions and sessions of the last one', async () => {
    const file = join(dir, 'restart', 'stripe-emulator.json');
    const first = await start(file);
    const { customer, sessionId, subscription } = await subscribe(first, 4);
    await first.close();

    const second = await start(file);
    expect(second.port).not.toBe(first.port);
    const stripe = sdk(second);
    expect(await stripe.customers.retrieve(customer.id)).toEqual(customer);
    // What failed with "No such customer" before: Manage billing and Checkout for a known customer.
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://127.0.0.1:1/billing' });
    expect(portal.url).toContain(second.url);
    expect(await (await fetch(portal.url)).text()).toContain('4 × Client User seat');
    const checkout = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: 'price_emulated_standard', quantity: 1 }],
      success_url: 'http://127.0.0.1:1/billing',
      cancel_url: 'http://127.0.0.1:1/billing',
    });
    expect(checkout.url).toBe(`${second.url}/checkout/${checkout.id}`);

    const restored = await stripe.subscriptions.retrieve(subscription.id);
    expect(restored).toEqual(subscription);
    expect(restored).toMatchObject({ customer: customer.id, status: 'active', items: { data: [{ quantity: 4, price: { id: 'price_emulated_client' } }] } });
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({ status: 'complete', subscription: subscription.id, customer: customer.id });
    // A saved checkout URL leads to this emulator, not to the port of the stopped one.
    expect(session.url).toBe(`${second.url}/checkout/${sessionId}`);
    expect((await fetch(session.url!)).status).toBe(200);

    // Idempotency keys survive too: Seatwise's retried customer creation gets the same customer.
    const retried = await stripe.customers.create({ name: 'Acme', metadata: { tenantId: 'tenant-1', workspace: 'acme' } }, { idempotencyKey: 'customer-tenant-1' });
    expect(retried.id).toBe(customer.id);
    expect(second.customers.size).toBe(1);
  });

  it('keeps changes made after a restart, through the next one', async () => {
    const file = join(dir, 'changes', 'stripe-emulator.json');
    const first = await start(file);
    const { subscription } = await subscribe(first, 2);
    await first.close();

    const second = await start(file);
    const changed = await fetch(`${second.url}/portal/subscriptions/${subscription.id}/quantity`, { method: 'POST', body: new URLSearchParams({ quantity: '7' }), redirect: 'manual' });
    expect(changed.status).toBe(303);
    await second.setQuantity(subscription.id, 9);
    await second.close();

    const third = await start(file);
    expect(await sdk(third).subscriptions.retrieve(subscription.id)).toMatchObject({ id: subscription.id, items: { data: [{ quantity: 9 }] } });
    // Written by rename: no temp file is left beside it.
    expect(readdirSync(join(dir, 'changes'))).toEqual(['stripe-emulator.json']);
  });

  it('refuses a corrupt state file with a clear error, and leaves the file as it was', async () => {
    const file = join(dir, 'corrupt.json');
    writeFileSync(file, '{"version":1,"customers":{"cus_1":');
    await expect(start(file)).rejects.toThrow(EmulatorStateError);
    await expect(start(file)).rejects.toThrow(/state file .*corrupt\.json is unreadable \(not JSON/);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"customers":{"cus_1":');

    writeFileSync(file, JSON.stringify({ version: 1, baseUrl: '', customers: [], sessions: {}, subscriptions: {}, idempotent: {} }));
    await expect(start(file)).rejects.toThrow(/"customers" is not an object of objects/);
    writeFileSync(file, JSON.stringify({ version: 99 }));
    await expect(start(file)).rejects.toThrow(/version 99, expected 1/);
  });

  it('starts empty when the state file does not exist yet, and keeps state in memory when given none', async () => {
    const file = join(dir, 'fresh', 'nested', 'stripe-emulator.json');
    const fresh = await start(file);
    expect(fresh.customers.size).toBe(0);
    const customer = await sdk(fresh).customers.create({ name: 'Fresh' });
    expect(JSON.parse(readFileSync(file, 'utf8')).customers[customer.id]).toEqual(customer);

    const before = readdirSync(dir).sort();
    const memory = await start();
    await sdk(memory).customers.create({ name: 'Memory only' });
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
