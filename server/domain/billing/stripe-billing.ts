import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { z } from 'zod';
import { withTenant, type Db, type Trx } from '../../../db/index';
import type { Env } from '../../shared/env';
import { AppError } from '../../shared/errors';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import type { createCheckoutInput } from '../../contract/billing';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { billingAdmins, checkSeatThresholds } from '../seats/alerts';
import { SEAT_LABELS as LABEL, SEAT_TYPES, type SeatType } from '../../contract/seats';

/** SPEC §5: only these subscription states carry seats; canceled, unpaid or past due take them away. */
const LIVE = new Set(['active', 'trialing']);

function requireStripe(stripe: Stripe | null): Stripe {
  if (!stripe) {
    throw new AppError('SERVICE_UNAVAILABLE', 'Billing is not available: the Stripe test-mode emulator is not running. Start Seatwise with npm start, or configure Stripe.');
  }
  return stripe;
}

export const seatTypeOfPrice = (env: Env, priceId: string | undefined) =>
  SEAT_TYPES.find((type) => env.stripe.prices[type] === priceId) ?? null;

export async function listPlans({ stripe, env }: { stripe: Stripe | null; env: Env }) {
  const client = requireStripe(stripe);
  return Promise.all(
    SEAT_TYPES.map(async (seatType) => {
      const price = await client.prices.retrieve(env.stripe.prices[seatType]);
      return { seatType, label: LABEL[seatType], priceId: price.id, unitAmount: price.unit_amount ?? 0, currency: price.currency, interval: price.recurring?.interval ?? 'month' };
    }),
  );
}

/** The tenant's Stripe customer, created on first use; the idempotency key makes a retry reuse it. */
async function ensureCustomer(scope: Scope, stripe: Stripe) {
  const tenant = await scope.trx('tenants').where({ id: scope.tenantId }).forNoKeyUpdate().first('id', 'name', 'slug', 'stripeCustomerId');
  if (!tenant) throw new AppError('NOT_FOUND', 'Workspace not found');
  if (tenant.stripeCustomerId) return tenant.stripeCustomerId;
  const customer = await stripe.customers.create(
    { name: tenant.name, metadata: { tenantId: tenant.id, workspace: tenant.slug } },
    { idempotencyKey: `customer-${tenant.id}` },
  );
  await scope.trx('tenants').where({ id: tenant.id }).update({ stripeCustomerId: customer.id });
  await writeAudit({ trx: scope.trx, tenantId: scope.tenantId, actor: scope.actor, action: 'billing.customer_created', target: { type: 'tenant', id: tenant.id }, after: { customer: customer.id }, ip: scope.ip, at: scope.now });
  return customer.id;
}

/**
 * Issue #18: a payment comes back through the billing page, which waits for the worker to confirm
 * the seats and then sends the buyer on to `returnTo`; a cancel goes straight back there.
 */
function checkoutReturnUrls(appUrl: string, returnTo: string | undefined) {
  const success = `${appUrl}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`;
  if (!returnTo) return { success_url: success, cancel_url: `${appUrl}/billing?checkout=canceled` };
  const cancel = new URL(returnTo, 'http://seatwise.invalid');
  cancel.searchParams.set('checkout', 'canceled');
  return { success_url: `${success}&returnTo=${encodeURIComponent(returnTo)}`, cancel_url: `${appUrl}${cancel.pathname}${cancel.search}${cancel.hash}` };
}

export async function createCheckout({ scope, stripe, env, input }: { scope: Scope; stripe: Stripe | null; env: Env; input: z.output<typeof createCheckoutInput> }) {
  const client = requireStripe(stripe);
  const customer = await ensureCustomer(scope, client);
  const operationId = randomUUID();
  const metadata = { tenantId: scope.tenantId, seatType: input.seatType, operationId };
  const session = await client.checkout.sessions.create(
    {
      mode: 'subscription',
      customer,
      client_reference_id: scope.tenantId,
      line_items: [{ price: env.stripe.prices[input.seatType], quantity: input.quantity }],
      metadata,
      subscription_data: { metadata },
      ...checkoutReturnUrls(env.APP_URL, input.returnTo),
    },
    { idempotencyKey: `checkout-${operationId}` },
  );
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'billing.checkout_started',
    target: { type: 'tenant', id: scope.tenantId },
    after: { seatType: input.seatType, quantity: input.quantity, session: session.id },
    ip: scope.ip,
    at: scope.now,
  });
  return { url: session.url!, sessionId: session.id };
}

export async function createPortal({ scope, stripe, env }: { scope: Scope; stripe: Stripe | null; env: Env }) {
  const client = requireStripe(stripe);
  const customer = await ensureCustomer(scope, client);
  const session = await client.billingPortal.sessions.create({ customer, return_url: `${env.APP_URL}/billing` });
  return { url: session.url };
}

export async function billingHistory(trx: Trx) {
  const [ledger, subscriptions] = await Promise.all([
    trx('seat_ledger').orderBy('id', 'desc').limit(100).select('id', 'seatType', 'purchasedBefore', 'purchasedAfter', 'reason', 'createdAt'),
    trx('subscriptions').orderBy('createdAt', 'desc').select('id', 'status', 'seatType', 'quantity', 'currentPeriodEnd', 'createdAt', 'updatedAt'),
  ]);
  return { ledger, subscriptions };
}

/** Confirmed once the checkout's subscription is stored and live: the page polls this after Checkout. */
export async function checkoutStatus(trx: Trx, sessionId: string) {
  const sub = await trx('subscriptions').where({ checkoutSessionId: sessionId }).first('status', 'seatType', 'quantity');
  return sub?.seatType && LIVE.has(sub.status) ? { status: 'confirmed' as const, seatType: sub.seatType, quantity: sub.quantity } : { status: 'pending' as const };
}


/**
 * SPEC §5, the `stripe.event` job: seats come from the state of the tenant's subscriptions as
 * Stripe reports it now, never from adding up events, so duplicates, late and out-of-order
 * events all converge on the same seats. Returns false when the event is not ours to handle.
 */
export async function processStripeEvent({ db, stripe, env, jobs, eventId, now }: { db: Db; stripe: Stripe | null; env: Env; jobs: JobSender; eventId: string; now: Date }) {
  const client = requireStripe(stripe);
  const event = await db('stripe_events').where({ id: eventId }).first();
  if (!event) return false;
  const object = event.payload.data.object;
  const customerId = object.customer;
  const subscriptionId = object.object === 'subscription' ? object.id : object.subscription;
  const tenant = customerId ? await db('tenants').where({ stripeCustomerId: customerId }).first('id', 'name') : null;
  if (!tenant || !subscriptionId) {
    await db('stripe_events').where({ id: eventId }).update({ processedAt: now });
    return false;
  }
  const subscription = await client.subscriptions.retrieve(subscriptionId);
  const item = subscription.items.data[0];
  await withTenant(db, tenant.id, async (trx) => {
    const pools = await trx('seat_pools').where({ tenantId: tenant.id }).forUpdate().select('seatType', 'subscribed', 'purchased', 'included');
    await trx('subscriptions')
      .insert({
        id: subscription.id,
        tenantId: tenant.id,
        status: subscription.status,
        seatType: seatTypeOfPrice(env, item?.price.id),
        priceId: item?.price.id ?? null,
        quantity: item?.quantity ?? 0,
        checkoutSessionId: object.object === 'checkout.session' ? object.id : null,
        currentPeriodEnd: (subscription as unknown as { current_period_end?: number }).current_period_end
          ? new Date((subscription as unknown as { current_period_end: number }).current_period_end * 1000)
          : null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflict('id')
      .merge(['status', 'seatType', 'priceId', 'quantity', 'currentPeriodEnd', 'updatedAt', ...(object.object === 'checkout.session' ? ['checkoutSessionId' as const] : [])]);

    const live = await trx('subscriptions').where({ tenantId: tenant.id }).whereIn('status', [...LIVE]).groupBy('seatType').select<{ seatType: SeatType; seats: number }[]>('seatType', trx.raw('sum(quantity)::int as seats'));
    for (const pool of pools) {
      const subscribed = live.find((l) => l.seatType === pool.seatType)?.seats ?? 0;
      if (subscribed === pool.subscribed) continue;
      const after = pool.included + subscribed;
      await trx('seat_pools').where({ tenantId: tenant.id, seatType: pool.seatType }).update({ subscribed, updatedAt: now });
      await trx('seat_ledger').insert({ tenantId: tenant.id, seatType: pool.seatType, purchasedBefore: pool.purchased, purchasedAfter: after, reason: event.type, stripeEventId: eventId, createdAt: now });
      await writeAudit({ trx, tenantId: tenant.id, actor: { type: 'stripe', id: eventId, label: event.type }, action: 'seats.changed', target: { type: 'seat_pool', id: pool.seatType }, before: { purchased: pool.purchased }, after: { purchased: after }, at: now });
      const admins = await billingAdmins(trx, tenant.id);
      await jobs.many(
        trx,
        emailSend,
        admins.map((a: { email: string; firstName: string }) => ({
          to: a.email,
          template: 'seats-changed',
          tenantId: tenant.id,
          data: { tenantName: tenant.name, label: LABEL[pool.seatType], before: pool.purchased, after, added: after - pool.purchased },
        })),
      );
      await checkSeatThresholds({ trx, tenantId: tenant.id, seatType: pool.seatType, jobs });
    }
    await trx('stripe_events').where({ id: eventId }).update({ processedAt: now, tenantId: tenant.id });
  });
  return true;
}
