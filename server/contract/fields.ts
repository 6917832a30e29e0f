import { z } from 'zod';

/** Field schemas shared by every input that carries them, so a rule is written once. */

const RESERVED_SLUGS = new Set([
  'www', 'api', 'admin', 'app', 'login', 'logout', 'signup', 'signin', 'dev', 'mail', 'help', 'support',
  'billing', 'status', 'docs', 'static', 'assets', 'build', 'webhooks', 'trpc', 'healthz', 'seatwise',
  'dashboard', 'settings', 'root', 'system', 'test', 'staging', 'invite', 'auth', 'account',
]);

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'Use at least 3 characters')
  .max(40, 'Use at most 40 characters')
  .regex(/^[a-z0-9-]+$/, 'Use only letters a–z, digits and hyphens')
  .regex(/^[a-z0-9].*[a-z0-9]$/, 'Start and end with a letter or a digit')
  .refine((slug) => !RESERVED_SLUGS.has(slug), 'This workspace address is reserved');

/**
 * Where a redirect may send a browser after Checkout, a sign-in or an identity provider's answer:
 * only a path on this site. Another origin (`https://…`, `//host`, `/\host`, which browsers read
 * as `//host`) would be an open redirect, and control characters have no place in a path (a tab or
 * newline is stripped by URL parsers and would hide a `//`; a newline cannot be sent in a header).
 */
export function isReturnPath(value: string) {
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return false;
  if ([...value].some((c) => c < ' ' || c === '\u007f')) return false;
  const base = 'http://seatwise.invalid';
  try {
    return new URL(value, base).origin === base;
  } catch {
    return false;
  }
}

/** An id as PostgreSQL's uuid type reads it: anything else is no row of ours (a 404, not a 400). */
export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'Use at most 254 characters')
  .pipe(z.email('Enter a valid email address'));

export const personNameSchema = z.string().trim().min(1, 'Required').max(100, 'Use at most 100 characters');

/** The most common passwords that pass the length rule; each is among the first tried in attacks. */
const COMMON_PASSWORDS = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456123456', '111111111111', '000000000000',
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'password1234!', 'p@ssw0rd1234',
  'qwertyuiopas', 'qwerty123456', 'qwertyqwerty', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'abcdefghijkl', 'abc123abc123',
  'iloveyou1234', 'aaaaaaaaaaaa', 'letmein12345', 'welcome12345', 'welcome123456', 'changeme1234', 'administrator',
  'admin1234567', 'adminadmin12', 'trustno1trustno1', 'football1234', 'baseball1234', 'monkey123456',
  'dragon123456', 'sunshine1234', 'princess1234', 'superman1234', 'starwars1234', 'whatever1234',
  'asdfghjkl123', 'zxcvbnm12345', 'mypassword12', 'mypassword123', 'secret123456', 'seatwise1234',
]);

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(128, 'Use at most 128 characters')
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), 'This password is too common. Choose another one.');

/**
 * PostgreSQL stores neither a NUL character nor half of a UTF-16 surrogate pair in text or JSON,
 * and a person never means to send one. Every input from outside is checked once, at its edge.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this must find
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_TEXT = 'This text holds a character that cannot be stored (a NUL byte or a broken Unicode character). Remove it and try again.';

export const isStorableText = (text: string) => !UNSTORABLE.test(text);

/** The path of the first string (or key) in `value` that cannot be stored, or null when all can. */
export function unstorableTextPath(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (!isStorableText(key)) return at;
    const found = unstorableTextPath(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Dates from outside: ISO 8601 with an offset, in years PostgreSQL and every browser agree on. */
export const isoDateTimeSchema = z.iso
  .datetime({ offset: true, message: 'Use an ISO 8601 date and time, such as 2026-12-01T09:00:00Z' })
  // Milliseconds at most, as JavaScript reads them (PostgreSQL would round finer digits its own way),
  // and the offsets that exist (UTC−12:00 to UTC+14:00), which PostgreSQL also accepts.
  .refine((value) => /(?:T[\d:]{8}(?:\.\d{1,3})?)(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/i.test(value), 'Use at most three decimals of a second and an offset between -14:00 and +14:00')
  .refine((value) => {
    const time = Date.parse(value);
    return time >= Date.UTC(1900, 0, 1) && time < Date.UTC(10000, 0, 1);
  }, 'Use a date between the years 1900 and 9999');

/**
 * A whole number from outside: a JSON number, or the digits a form field posts. Unlike
 * `z.coerce.number()`, which reads null, '', ' ', false and [] as 0, true as 1, [5] as 5 and
 * '0x10' as 16, anything else is refused: a cleared settings field must not turn the inactivity
 * sweep off (issue #13). The bounds sit on the number, so JSON Schema and OpenAPI still show them.
 */
export function wholeNumberSchema(bounds: { min: number; max: number }, messages: { int?: string; min?: string; max?: string } = {}) {
  const whole = messages.int ?? 'Enter a whole number';
  const number = z.number().int(whole).min(bounds.min, messages.min).max(bounds.max, messages.max);
  return z.union([number, z.string().trim().regex(/^[+-]?\d{1,15}$/, whole).transform(Number).pipe(number)], { error: whole });
}
