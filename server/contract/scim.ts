import { z } from 'zod';
import { localeSchema, timeZoneSchema } from './users';

/**
 * SPEC "Directory provisioning (SCIM 2.0)": the resources as identity providers send them
 * (RFC 7643). Attributes we do not claim are accepted and ignored (zod drops them); an attribute
 * we claim with a value of the wrong type is a 400 `invalidValue`.
 */

export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** Microsoft Entra ID sends booleans as the strings "True" and "False". */
export const scimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: 'Use true or false' }))
    .transform((v) => v === 'true'),
]);

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters`);
const optional = (max: number) => text(max).nullish();
/** IdPs send whatever their directory holds: a zone or locale we cannot use is left as it was. */
const lenient = <T extends z.ZodType<string>>(schema: T) => z.string().nullish().transform((v) => (v && schema.safeParse(v).success ? v.trim() : undefined));

export const USER_TYPES = { standard: 'Standard', client: 'Client' } as const;

const multiValued = z.array(
  z.object({
    value: z.string().max(254).nullish(),
    type: z.string().max(50).nullish(),
    primary: scimBoolean.nullish(),
    display: z.string().max(256).nullish(),
  }),
);

export const scimUserInput = z.object({
  userName: text(254).min(1, 'userName is required'),
  externalId: optional(256),
  name: z
    .object({ givenName: optional(100), familyName: optional(100), formatted: optional(300) })
    .nullish(),
  displayName: optional(200),
  emails: multiValued.max(20).nullish(),
  active: scimBoolean.nullish(),
  locale: lenient(localeSchema),
  timezone: lenient(timeZoneSchema),
  userType: z
    .string()
    .trim()
    .nullish()
    .refine((v) => !v || ['standard', 'client'].includes(v.toLowerCase()), 'userType is Standard or Client'),
  [SCIM.enterprise]: z.object({ department: optional(200), employeeNumber: optional(100) }).nullish(),
});
export type ScimUserInput = z.output<typeof scimUserInput>;

export const scimGroupInput = z.object({
  displayName: text(256).min(1, 'displayName is required'),
  externalId: optional(256),
  members: z
    .array(z.object({ value: z.string().max(100), display: z.string().nullish() }))
    .max(10_000)
    .nullish(),
});
export type ScimGroupInput = z.output<typeof scimGroupInput>;

/**
 * The PATCH library walks a path's words as object keys: these would reach Object.prototype and
 * change every object of the process, for every tenant. No SCIM attribute is named so.
 */
const PROTOTYPE_WORDS = /(^|[^a-z0-9_$])(__proto__|constructor|prototype)($|[^a-z0-9_$])/i;
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
function hasPrototypeKey(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.some((v) => hasPrototypeKey(v, depth + 1));
  return Object.keys(value).some((key) => PROTOTYPE_KEYS.has(key) || hasPrototypeKey((value as Record<string, unknown>)[key], depth + 1));
}
export const MAX_PATCH_VALUES = 10_000;

/** PATCH (RFC 7644 §3.5.2): operation names in any case, as Entra ID sends them ("Replace"). */
export const scimPatchInput = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM.patch), `schemas must include ${SCIM.patch}`),
  Operations: z
    .array(
      z.object({
        op: z
          .string()
          .trim()
          .toLowerCase()
          .pipe(z.enum(['add', 'replace', 'remove'], { error: 'op is add, replace or remove' })),
        path: z
          .string()
          .trim()
          .max(500)
          .refine((path) => !PROTOTYPE_WORDS.test(path), { error: 'path names no attribute of a SCIM resource', params: { scimType: 'invalidPath' } })
          .optional(),
        value: z.unknown().refine((value) => !hasPrototypeKey(value), { error: 'value holds a key that is no SCIM attribute', params: { scimType: 'invalidValue' } }).optional(),
      }),
    )
    .min(1, 'Operations holds at least one operation')
    .max(1000)
    // Entra ID removes members as one operation listing many values: each value is an operation.
    .refine((ops) => ops.reduce((n, op) => n + (Array.isArray(op.value) ? Math.max(1, op.value.length) : 1), 0) <= MAX_PATCH_VALUES, {
      error: `A PATCH request holds at most ${MAX_PATCH_VALUES} operations and values; send the rest in another request.`,
    }),
});
export type ScimPatchInput = z.output<typeof scimPatchInput>;

/** List queries: `startIndex` is 1-based; `count` is capped (ServiceProviderConfig says so). */
export const MAX_SCIM_PAGE = 200;
const listNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,9}$/, 'Use a whole number')
    .transform(Number)
    .optional()
    .transform((n) => (n === undefined ? fallback : Math.min(max, Math.max(min, n))));

export const scimListQuery = z.object({
  filter: z.string().max(2000).optional(),
  startIndex: listNumber(1, 1, 1_000_000_000),
  count: listNumber(100, 0, MAX_SCIM_PAGE),
  attributes: z.string().max(2000).optional(),
  excludedAttributes: z.string().max(2000).optional(),
});

export const createScimTokenInput = z.object({
  name: z.string().trim().min(1, 'Name the token after the identity provider that uses it').max(100, 'Use at most 100 characters'),
});
export const revokeScimTokenInput = z.object({ id: z.uuid() });
export const mapGroupInput = z.object({
  groupId: z.uuid(),
  roleId: z.uuid().nullable(),
  priority: z
    .union([z.number(), z.string().trim().regex(/^\d{1,4}$/, 'Use a whole number from 1 to 1000').transform(Number)])
    .pipe(z.number().int('Use a whole number from 1 to 1000').min(1, 'Use a whole number from 1 to 1000').max(1000, 'Use a whole number from 1 to 1000'))
    .optional(),
});
