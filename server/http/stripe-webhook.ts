import express, { type RequestHandler } from 'express';
import Stripe from 'stripe';
import { z } from 'zod';
import { unstorableTextPath } from '../contract/fields';
import type { Db } from '../../db/index';
import type { Env } from '../shared/env';
import type { JobSender } from '../jobs/index';
import { stripeEvent } from '../jobs/stripe-event';
import type { Logger } from 'pino';

/** Stripe's own default: events signed more than five minutes ago are refused as replays. */
const TOLERANCE_SECONDS = 300;

/**
 * What the worker reads of an event. A validly signed body is still input from outside: one that
 * does not have this shape is refused here rather than failing its job on every retry.
 */
const stripeEventSchema = z.looseObject({
  id: z.string().regex(/^evt_[A-Za-z0-9_]{1,250}$/, 'id must be a Stripe event id (evt_…)'),
  type: z.string().regex(/^[a-z0-9_.]{1,100}$/, 'type must be a Stripe event type'),
  data: z.looseObject({
    object: z.looseObject({
      id: z.string().max(255).optional(),
      object: z.string().max(100).optional(),
      customer: z.string().max(255).nullish(),
      subscription: z.string().max(255).nullish(),
    }),
  }),
});

/** The signature's timestamp: the SDK refuses old ones, and a signature from the future is as suspect. */
const signedAt = (signature: string) => Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1] ?? NaN);

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
        if (signedAt(signature) > Date.now() / 1000 + TOLERANCE_SECONDS) throw new Error('Timestamp is more than five minutes in the future');
      } catch (error) {
        log.warn({ reason: (error as Error).message }, 'stripe webhook refused');
        res.status(400).json({ error: `Webhook signature verification failed: ${(error as Error).message}` });
        return;
      }
      const shape = stripeEventSchema.safeParse(event);
      const unstorable = shape.success ? unstorableTextPath(event) : null;
      if (!shape.success || unstorable) {
        const problem = shape.success ? `${unstorable!.join('.')} holds a NUL or a broken Unicode character` : shape.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
        log.warn({ reason: problem }, 'stripe webhook refused');
        res.status(400).json({ error: `Not a Stripe event: ${problem}` });
        return;
      }
      try {
        await ownerDb.transaction(async (trx) => {
          const inserted = await trx('stripe_events').insert({ id: event.id, type: event.type, payload: shape.data }).onConflict('id').ignore().returning('id');
          if (inserted.length) await jobs(trx, stripeEvent, { eventId: event.id });
        });
        res.json({ received: true });
      } catch (error) {
        next(error);
      }
    },
  ];
}
