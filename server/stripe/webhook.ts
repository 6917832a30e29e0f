import express, { type RequestHandler } from 'express';
import Stripe from 'stripe';
import type { Db } from '../../db/index';
import type { Env } from '../env';
import type { JobSender } from '../jobs/index';
import { stripeEvent } from '../jobs/stripe-event';
import type { Logger } from 'pino';

/** Stripe's own default: events signed more than five minutes ago are refused as replays. */
const TOLERANCE_SECONDS = 300;

/**
 * SPEC §5: verify the signature over the raw body, store the event once (its id is the key),
 * enqueue its processing in the same transaction, and answer at once.
 */
export function stripeWebhook({ env, ownerDb, jobs, log }: { env: Env; ownerDb: Db; jobs: JobSender; log: Logger }): RequestHandler[] {
  return [
    express.raw({ type: '*/*', limit: '1mb' }),
    async (req, res, next) => {
      let event: Stripe.Event;
      try {
        const signature = req.get('stripe-signature');
        if (!signature) throw new Error('No Stripe-Signature header');
        event = Stripe.webhooks.constructEvent(req.body as Buffer, signature, env.stripe.webhookSecret, TOLERANCE_SECONDS);
      } catch (error) {
        log.warn({ reason: (error as Error).message }, 'stripe webhook refused');
        res.status(400).json({ error: `Webhook signature verification failed: ${(error as Error).message}` });
        return;
      }
      try {
        await ownerDb.transaction(async (trx) => {
          const inserted = await trx('stripe_events').insert({ id: event.id, type: event.type, payload: JSON.stringify(event) }).onConflict('id').ignore().returning('id');
          if (inserted.length) await jobs(trx, stripeEvent, { eventId: event.id });
        });
        res.json({ received: true });
      } catch (error) {
        next(error);
      }
    },
  ];
}
