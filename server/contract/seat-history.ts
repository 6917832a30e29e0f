import { z } from 'zod';
import { isoDateTimeSchema } from './fields';
import { SEAT_TYPES } from './seats';

export const SEAT_HISTORY_INTERVALS = ['day', 'week', 'month'] as const;
export type SeatHistoryInterval = (typeof SEAT_HISTORY_INTERVALS)[number];

/** A chart or a table has room for this many points; ask for a longer interval past it. */
export const MAX_HISTORY_POINTS = 400;

const DAY = 86_400_000;

/** The start of the UTC day, ISO week (Monday) or month holding `date`, and its index in steps. */
function intervalStart(date: Date, interval: SeatHistoryInterval) {
  if (interval === 'month') return { at: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), index: date.getUTCFullYear() * 12 + date.getUTCMonth() };
  const day = Math.floor(date.getTime() / DAY);
  if (interval === 'day') return { at: day * DAY, index: day };
  const monday = day - ((new Date(day * DAY).getUTCDay() + 6) % 7);
  return { at: monday * DAY, index: monday / 7 };
}

/**
 * How many points seats.history returns for a range: the end of every interval from the one
 * holding `from`, the last one cut at `to` (the same point when `to` is an interval's end).
 */
export function historyPoints(from: Date, to: Date, interval: SeatHistoryInterval) {
  const first = intervalStart(from, interval);
  const last = intervalStart(to, interval);
  const steps = last.index - first.index;
  return steps + 1 - (steps >= 1 && last.at === to.getTime() ? 1 : 0);
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
