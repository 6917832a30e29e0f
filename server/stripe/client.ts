import Stripe from 'stripe';
import type { Env } from '../shared/env';

/**
 * The real SDK either way: pointed at Stripe with real keys, or at the local emulator in test
 * mode. Billing code cannot tell the difference. Null when test mode has no emulator running.
 */
export function createStripeClient(env: Env): Stripe | null {
  if (!env.stripeEmulated) return new Stripe(env.stripe.secretKey, { maxNetworkRetries: 2 });
  if (!env.STRIPE_EMULATOR_URL) return null;
  const url = new URL(env.STRIPE_EMULATOR_URL);
  return new Stripe(env.stripe.secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 1 });
}
