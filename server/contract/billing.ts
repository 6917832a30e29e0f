import { z } from 'zod';
import { wholeNumberSchema } from './fields';
import { SEAT_TYPES } from './seats';

export const createCheckoutInput = z.object({
  seatType: z.enum(SEAT_TYPES, 'Choose a seat type: standard, client or api'),
  quantity: wholeNumberSchema({ min: 1, max: 1000 }, { int: 'Buy whole seats', min: 'Buy at least 1 seat', max: 'Buy at most 1000 seats at a time' }),
  /** A page of this app to come back to from Checkout (the import preview); never another site. */
  returnTo: z.string().max(500).regex(/^\/([^/\\].*)?$/, 'Use a path of this app, starting with a single /').optional(),
});
export const checkoutStatusInput = z.object({ sessionId: z.string().min(1).max(200) });
