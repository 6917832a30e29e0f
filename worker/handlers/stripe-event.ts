import type PgBoss from 'pg-boss';
import type Stripe from 'stripe';
import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { processStripeEvent } from '../../server/domain/billing/stripe-billing';
import type { Env } from '../../server/shared/env';
import { createJobSender } from '../../server/jobs/index';
import { stripeEvent } from '../../server/jobs/stripe-event';

/** Idempotent by construction: it recomputes seats from the subscription's current state. */
export function createStripeEventHandler({ db, stripe, env, log, now = () => new Date() }: { db: Db; stripe: Stripe | null; env: Env; log: Logger; now?: () => Date }) {
  const jobs = createJobSender();
  return async (job: PgBoss.Job<unknown>) => {
    const { eventId } = stripeEvent.payload.parse(job.data);
    const handled = await processStripeEvent({ db, stripe, env, jobs, eventId, now: now() });
    log.info({ eventId, handled }, 'stripe event processed');
  };
}
