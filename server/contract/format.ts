/**
 * SPEC "Users": times are stored in UTC and shown to each person in their own time zone and locale
 * (dates, times, numbers), emails in the recipient's. This is the one place that turns an instant
 * or a figure into text for a person: the pages (through app/utils/format.ts) and the mail
 * templates both use it, so a page and an email never say the same time two ways.
 *
 * Every format names its time zone and locale explicitly (never the runtime's default), so the
 * server's render and the browser's hydration produce the same string. A stored value this runtime
 * cannot use (a zone or locale that is no longer known) falls back to UTC / en-US rather than throw:
 * a bad profile must never break a page or a job.
 */
export const FALLBACK_TIME_ZONE = 'UTC';
export const FALLBACK_LOCALE = 'en-US';

export type Viewer = { timeZone?: string | null; locale?: string | null };

/** The zone if this runtime knows it, else UTC. */
export function safeTimeZone(zone: string | null | undefined): string {
  if (!zone) return FALLBACK_TIME_ZONE;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return FALLBACK_TIME_ZONE;
  }
}

/**
 * The locale if it is well formed and this runtime has data for it, else en-US. An unsupported
 * locale would otherwise silently become the runtime's default, which differs between the server
 * and each browser.
 */
export function safeLocale(locale: string | null | undefined): string {
  if (!locale) return FALLBACK_LOCALE;
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical && Intl.DateTimeFormat.supportedLocalesOf([canonical]).length > 0 ? canonical : FALLBACK_LOCALE;
  } catch {
    return FALLBACK_LOCALE;
  }
}

const DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
const STYLES = {
  /** "Dec 1, 2026, 2:32 PM GMT+1" · "2026年12月1日 22:32 JST" */
  dateTime: { ...DATE, ...TIME },
  /** "Dec 1, 2026" in the viewer's zone */
  date: DATE,
  /** "2:32 PM GMT+1" */
  time: TIME,
  /** "Dec 1" of a UTC day (seat history figures are per UTC day) */
  utcShortDay: { month: 'short', day: 'numeric', timeZone: 'UTC' },
  /** "Dec 1, 2026" of a UTC day */
  utcDay: { ...DATE, timeZone: 'UTC' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

export type Formatter = {
  timeZone: string;
  locale: string;
  dateTime: (at: string | Date) => string;
  date: (at: string | Date) => string;
  time: (at: string | Date) => string;
  utcShortDay: (day: string | Date) => string;
  utcDay: (day: string | Date) => string;
  number: (value: number) => string;
  /** An amount in a currency's minor units (Stripe's cents), e.g. 1200 USD → "$12.00" / "12,00 $US". */
  money: (minor: number, currency: string) => string;
};

const formatters = new Map<string, Formatter>();

/** A formatter for one person's zone and locale (cached: tables format many rows with it). */
export function formatterFor(viewer: Viewer | null | undefined): Formatter {
  const timeZone = safeTimeZone(viewer?.timeZone);
  const locale = safeLocale(viewer?.locale);
  const key = `${timeZone}|${locale}`;
  const cached = formatters.get(key);
  if (cached) return cached;
  const make = (options: Intl.DateTimeFormatOptions) => {
    const format = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    return (at: string | Date) => {
      const date = at instanceof Date ? at : new Date(at);
      return Number.isNaN(date.getTime()) ? '—' : format.format(date);
    };
  };
  const numbers = new Intl.NumberFormat(locale);
  const formatter: Formatter = {
    timeZone,
    locale,
    dateTime: make(STYLES.dateTime),
    date: make(STYLES.date),
    time: make(STYLES.time),
    utcShortDay: make(STYLES.utcShortDay),
    utcDay: make(STYLES.utcDay),
    number: (value) => numbers.format(value),
    money: (minor, currency) => {
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
      } catch {
        return `${numbers.format(minor / 100)} ${currency.toUpperCase()}`;
      }
    },
  };
  formatters.set(key, formatter);
  return formatter;
}

/** Minutes a zone is ahead of UTC at an instant (Paris in winter: 60). */
function offsetMinutes(timeZone: string, at: number) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, Number(p.value)]),
  );
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  wall.setUTCHours(parts.hour, parts.minute, parts.second);
  return Math.round((wall.getTime() - Math.floor(at / 1000) * 1000) / 60_000);
}

/**
 * The instant a day ("2026-12-01") begins in a zone, for date filters a person types: their
 * midnight, not UTC's. Checked twice so that a DST change that day lands on the right side.
 */
export function startOfDayIn(day: string, zone: string | null | undefined): Date {
  const timeZone = safeTimeZone(zone);
  const midnight = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight) || timeZone === 'UTC') return new Date(midnight);
  let at = midnight - offsetMinutes(timeZone, midnight) * 60_000;
  at = midnight - offsetMinutes(timeZone, at) * 60_000;
  return new Date(at);
}
