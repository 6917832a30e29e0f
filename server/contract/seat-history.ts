import { z } from 'zod';
import { isoDateTimeSchema } from './fields';
import { SEAT_TYPES } from './seats';

export const SEAT_HISTORY_INTERVALS = ['day', 'week', 'month'] as const;
export type SeatHistoryInterval = (typeof SEAT_HISTORY_INTERVALS)[number];

/** A chart or a table has room for this many points; ask for a longer interval past it. */
export const MAX_HISTORY_POINTS = 400;

const DAY = 86_400_000;

/** How many points a range yields (intervals end on UTC day, Monday and month boundaries). */
export function historyPoints(from: Date, to: Date, interval: SeatHistoryInterval) {
  if (interval === 'month') return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
  const days = Math.floor(to.getTime() / DAY) - Math.floor(from.getTime() / DAY);
  return interval === 'day' ? days + 1 : Math.floor(days / 7) + 2;
}

export const seatHistoryInput = z
  .object({
    from: isoDateTimeSchema,
    to: isoDateTimeSchema,
    interval: z.enum(SEAT_HISTORY_INTERVALS, 'Choose day, week or month'),
  })
  .superRefine(({ from, to, interval }, ctx) => {
    const start = new Date(from);
    const end = new Date(to);
    if (start > end) ctx.addIssue({ code: 'custom', path: ['from'], message: 'Choose a start before the end' });
    else if (historyPoints(start, end, interval) > MAX_HISTORY_POINTS) {
      ctx.addIssue({ code: 'custom', path: ['interval'], message: `This range has more than ${MAX_HISTORY_POINTS} points by ${interval}: choose a longer interval or a shorter range` });
    }
  });

export const seatHoldersInput = z.object({
  seatType: z.enum(SEAT_TYPES, 'Choose standard, client or api'),
  at: isoDateTimeSchema,
});
