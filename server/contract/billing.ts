import { z } from 'zod';
import { isReturnPath, wholeNumberSchema } from './fields';
import { SEAT_TYPES } from './seats';

export const RETURN_TO_MESSAGE = 'Use a path of this site that starts with a single /, such as /users/new';

/** Issue #18: where Checkout brings the buyer back — only a path on this site (isReturnPath). */
export const returnToSchema = z.string().max(500, 'Use at most 500 characters').refine(isReturnPath, RETURN_TO_MESSAGE);

export const createCheckoutInput = z.object({
  seatType: z.enum(SEAT_TYPES, 'Choose a seat type: standard, client or api'),
  quantity: wholeNumberSchema({ min: 1, max: 1000 }, { int: 'Buy whole seats', min: 'Buy at least 1 seat', max: 'Buy at most 1000 seats at a time' }),
  /** The page to come back to after Checkout (paid or canceled); the billing page when absent. */
  returnTo: returnToSchema.optional(),
});
export const checkoutStatusInput = z.object({ sessionId: z.string().min(1).max(200) });

const STRIPE_EVENT_WORDS: Record<string, string> = {
  'checkout.session.completed': 'checkout completed',
  'customer.subscription.created': 'subscription created',
  'customer.subscription.updated': 'subscription updated',
  'customer.subscription.deleted': 'subscription canceled',
  'customer.subscription.paused': 'subscription paused',
  'customer.subscription.resumed': 'subscription resumed',
  'invoice.paid': 'invoice paid',
  'invoice.payment_succeeded': 'payment succeeded',
  'invoice.payment_failed': 'payment failed',
};

/** A Stripe event as a person reads it ("subscription created"); an event without words yet keeps its name. */
export const stripeEventWords = (type: string) => STRIPE_EVENT_WORDS[type] ?? type;
