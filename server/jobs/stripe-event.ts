import { z } from 'zod';

export const stripeEvent = {
  name: 'stripe.event',
  payload: z.object({ eventId: z.string().min(1) }),
  queue: { retryLimit: 10, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
} as const;
