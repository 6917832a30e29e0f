import { z } from 'zod';
import { SEAT_TYPES } from '../../domain/seats';

export const createCheckoutInput = z.object({
  seatType: z.enum(SEAT_TYPES, 'Choose a seat type: standard, client or api'),
  quantity: z.coerce.number().int('Buy whole seats').min(1, 'Buy at least 1 seat').max(1000, 'Buy at most 1000 seats at a time'),
});
export const checkoutStatusInput = z.object({ sessionId: z.string().min(1).max(200) });
