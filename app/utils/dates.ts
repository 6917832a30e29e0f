/**
 * Days as the seat history shows them, written out by hand (not Intl) so that the server's render
 * and the browser's hydration always agree. Every figure is per UTC day.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = 86_400_000;

/** The UTC day an instant closes: a point at midnight is the end of the day before it. */
export const dayOf = (at: string | Date) => new Date(new Date(at).getTime() - 1);

/** "Dec 1" */
export const shortDay = (day: Date) => `${MONTHS[day.getUTCMonth()]} ${day.getUTCDate()}`;

/** "Dec 1, 2026" */
export const longDay = (day: Date) => `${shortDay(day)}, ${day.getUTCFullYear()}`;

/** "2026-12-01" */
export const isoDay = (day: Date) => day.toISOString().slice(0, 10);

/** "14:32 UTC" */
export const utcTime = (at: Date) => `${at.toISOString().slice(11, 16)} UTC`;

/** Whether an instant is a UTC midnight, the end of a whole day. */
export const isMidnight = (at: Date) => at.getTime() % DAY === 0;

/** The seat history's range: the last `days` days up to now, by day. */
export function lastDays(days: number, now = new Date()) {
  return { from: new Date(now.getTime() - days * DAY).toISOString(), to: now.toISOString(), interval: 'day' as const };
}
