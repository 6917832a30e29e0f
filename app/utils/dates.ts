/**
 * UTC days as the seat history counts them (every figure is per UTC day). Showing a day or an
 * instant to a person is server/contract/format.ts's job (through useFormat), in their locale.
 */
const DAY = 86_400_000;

/** The UTC day an instant closes: a point at midnight is the end of the day before it. */
export const dayOf = (at: string | Date) => new Date(new Date(at).getTime() - 1);

/** "2026-12-01" */
export const isoDay = (day: Date) => day.toISOString().slice(0, 10);

/** Whether an instant is a UTC midnight, the end of a whole day. */
export const isMidnight = (at: Date) => at.getTime() % DAY === 0;

/** The seat history's range: the last `days` days up to now, by day. */
export function lastDays(days: number, now = new Date()) {
  return { from: new Date(now.getTime() - days * DAY).toISOString(), to: now.toISOString(), interval: 'day' as const };
}
