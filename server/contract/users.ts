import { z } from 'zod';
import { emailSchema, isoDateTimeSchema, personNameSchema, wholeNumberSchema } from './fields';
import { SEAT_TYPES } from './seats';
import { STATUSES } from './statuses';

/**
 * Building an Intl formatter costs about a millisecond: an import of 10,000 rows checked each
 * zone 10,000 times. Answers are remembered (a bounded set: there are some 600 zones).
 */
function remembered(check: (value: string) => boolean) {
  const known = new Map<string, boolean>();
  return (value: string) => {
    let answer = known.get(value);
    if (answer === undefined) {
      answer = check(value);
      if (known.size < 5000) known.set(value, answer);
    }
    return answer;
  };
}

const isTimeZone = remembered((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
});

const isLocale = remembered((tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
});

export const timeZoneSchema = z.string().trim().refine(isTimeZone, 'Use an IANA time zone such as Europe/Paris');
const timeZone = timeZoneSchema;

export const localeSchema = z.string().trim().refine(isLocale, 'Use a BCP 47 language tag such as en or fr-CA');
const locale = localeSchema;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

const userName = z
  .string()
  .trim()
  .max(60, 'Use at most 60 characters')
  .regex(/^[A-Za-z0-9._@-]*$/, 'Use letters, digits, dots, hyphens, underscores or @')
  .transform((v) => (v === '' ? null : v))
  .nullable()
  .optional();

export const userId = z.object({ id: z.uuid('Not a valid user id') });

export const createUserInput = z.object({
  kind: z.enum(SEAT_TYPES),
  email: emailSchema,
  firstName: personNameSchema,
  lastName: personNameSchema,
  displayName: optionalText(200),
  userName,
  roleId: z.uuid('Choose a role').optional(),
  timeZone: timeZone.optional(),
  locale: locale.optional(),
  samlNameId: optionalText(300),
});

export const updateUserInput = z.object({
  id: z.uuid(),
  email: emailSchema.optional(),
  firstName: personNameSchema.optional(),
  lastName: personNameSchema.optional(),
  displayName: z.string().trim().min(1, 'Required').max(200).optional(),
  userName,
  timeZone: timeZone.optional(),
  locale: locale.optional(),
  samlNameId: optionalText(300),
  exemptFromInactivity: z.boolean().optional(),
});

export const setRoleInput = z.object({ id: z.uuid(), roleId: z.uuid('Choose a role') });

export const setStatusInput = z.object({
  id: z.uuid(),
  status: z.enum(STATUSES),
  // Zero-width characters are stripped first: a reason nobody can see is no reason.
  reason: z
    .string()
    .transform((v) => v.replace(/[\u200b-\u200d\u2060\ufeff]/g, '').trim())
    .pipe(z.string().max(500, 'Use at most 500 characters'))
    .optional(),
});

export const requirePasswordChangeInput = z.object({ id: z.uuid(), required: z.boolean().default(true) });

const cursor = z.string().max(500).optional();
// prefault, not default: the value goes through the schema, and JSON Schema keeps showing it.
const limit = wholeNumberSchema({ min: 1, max: 200 }).prefault(50);

export const USER_SORTS = ['name', 'lastSignIn', 'created'] as const;
export type UserSort = (typeof USER_SORTS)[number];
/** Each sort's direction when none is given: names A to Z, times newest first. */
export const DEFAULT_SORT_DIRECTION: Record<UserSort, 'asc' | 'desc'> = { name: 'asc', lastSignIn: 'desc', created: 'desc' };
/** users.list counts at most this many matching users (and says "more") so the count stays cheap at a million users. */
export const USER_COUNT_CAP = 10_000;

export const listUsersInput = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(STATUSES).optional(),
    kind: z.enum(SEAT_TYPES).optional(),
    roleId: z.uuid().optional(),
    sort: z.enum(USER_SORTS).default('name'),
    /** Absent: the sort's own direction (DEFAULT_SORT_DIRECTION). */
    dir: z.enum(['asc', 'desc']).optional(),
    /** The page after this cursor (a `nextCursor`). */
    cursor,
    /** The page before this cursor (a `prevCursor`); ignored when `cursor` is given. */
    before: cursor,
    limit,
    /**
     * Also count the matches (capped at USER_COUNT_CAP), for a page that shows "51–100 of 1,234". Off
     * by default: a count over a short, fairly rare pattern reads far more rows than its page does.
     */
    withTotal: z.boolean().optional(),
  })
  .prefault({ sort: 'name', limit: 50 });

/** What a bulk action names: up to 100 users, each once. */
const bulkIds = z
  .array(z.uuid('Not a valid user id'), 'Select the users')
  .min(1, 'Select at least one user')
  .max(100, 'Select at most 100 users at a time')
  .transform((ids) => [...new Set(ids)]);

/** Several users to one status that ends access, all or none (SPEC "Status and seats"). */
export const bulkSetStatusInput = z
  .object({
    ids: bulkIds,
    status: z.enum(['suspended', 'deactivated', 'banned'], 'Choose suspended, deactivated or banned'),
    reason: setStatusInput.shape.reason,
  })
  .refine((input) => input.status !== 'banned' || Boolean(input.reason), {
    message: 'Give a reason for the ban. It is kept with the users.',
    path: ['reason'],
  });

export const bulkResendInvitationInput = z.object({ ids: bulkIds });

/** How a sign-in attempt ended, as login history records it. */
export const LOGIN_RESULTS = ['success', 'wrong_password', 'unknown_user', 'locked', 'not_active', 'api_user', 'seat_limit', 'sso_refused', 'password_not_allowed'] as const;
/** How an attempt was made (SPEC "Single sign-on": every attempt is in login history with its method). */
export const LOGIN_METHODS = ['password', 'saml', 'oidc'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
export type LoginResult = (typeof LOGIN_RESULTS)[number];

/** One user's sign-in attempts, or the whole workspace's (unknown emails included) when no id is given. */
export const loginHistoryInput = z
  .object({
    id: z.uuid('Not a valid user id').optional(),
    result: z.enum(LOGIN_RESULTS, 'Choose a result from the list').optional(),
    email: z.string().trim().max(254, 'Use at most 254 characters').optional(),
    ip: z.string().trim().max(64, 'Use at most 64 characters').optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    cursor,
    limit,
  })
  .prefault({});

export const inactivityPreviewInput = z
  .object({
    inactivityDays: wholeNumberSchema({ min: 0, max: 3650 }, { max: 'Use at most 3650 days (ten years)' }).optional(),
    inactivityWarningDays: wholeNumberSchema({ min: 0, max: 90 }, { min: 'Use a number of days from 0 to 90', max: 'Use a number of days from 0 to 90' }).optional(),
  })
  .prefault({});

/** users.export: the list's search and filters, every matching user (SPEC "Export"). */
export const exportUsersInput = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(STATUSES).optional(),
    kind: z.enum(SEAT_TYPES).optional(),
    roleId: z.uuid().optional(),
  })
  .prefault({});

/** The workspace's sign-in attempts as CSV, with the Sign-ins page's filters. */
export const exportLoginHistoryInput = z
  .object({
    id: z.uuid('Not a valid user id').optional(),
    result: z.enum(LOGIN_RESULTS, 'Choose a result from the list').optional(),
    email: z.string().trim().max(254).optional(),
    ip: z.string().trim().max(64).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
  })
  .prefault({});
