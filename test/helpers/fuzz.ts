import fc from 'fast-check';
import { z } from 'zod';
import pg from 'pg';
import { onCleanup } from '../setup/cleanup';

/**
 * Issue #13 point 4: inputs for every procedure, generated from its own zod schema through
 * JSON Schema, and inputs that are broken on purpose, each with what the server must do with it.
 */

/** The subset of JSON Schema that `z.toJSONSchema` emits for our inputs. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
};

/** What a client may send: the schema's input side; refinements and transforms it cannot express are left out. */
export const inputJsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

export type Hints = {
  /** Ids that exist for a uuid field (by its name), mixed with random ones: most calls should find a row. */
  uuids?: (field: string) => string[];
  /** Values a field of this name usually holds (an email, a time zone), mixed with what its schema allows. */
  byName?: Record<string, fc.Arbitrary<unknown>>;
};

const typesOf = (schema: JsonSchema): string[] => {
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.flatMap(typesOf);
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  return [];
};

const patternsOf = (schema: JsonSchema) => [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter((p): p is string => Boolean(p));

/** The first branch of an anyOf that is not `null`: the field's real shape. */
const mainBranch = (schema: JsonSchema): JsonSchema => (schema.anyOf ?? schema.oneOf)?.find((s) => s.type !== 'null') ?? schema;

/** Text that has broken servers before: SQL and LIKE metacharacters, knex's own placeholders, odd Unicode. */
export const NASTY_STRINGS = [
  '\\', '%', '_', '%_%', '\\%', "'", '"', "' OR '1'='1", "'; drop table users; --", '??', '?', ':name', '$1', '\\?',
  '*', '(', '[', '{', '}', '<script>alert(1)</script>', '../../etc/passwd', '\u202eevil', 'a\u200bb', 'e\u0301', '👩‍👩‍👧‍👦',
  '\ufeff', '\uffff', '\u{10ffff}', 'Ω≈ç√', ' ', '\t', '\n', '\r\n', 'null', 'undefined', 'NaN', '0', '-1', 'true', '{}', '[]',
  '-infinity', 'infinity', 'epoch', 'now', 'allballs', 'Z', '+00', '1e308',
];

function stringArbitrary(schema: JsonSchema, hints: Hints, name: string): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength;
  const fits = (s: string) => s.length >= minLength && (maxLength === undefined || s.length <= maxLength);
  if (schema.format === 'uuid') {
    const known = hints.uuids?.(name) ?? [];
    return known.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 5 }, { arbitrary: fc.uuid(), weight: 1 }) : fc.uuid();
  }
  if (schema.format === 'date-time') {
    return fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  const patterns = patternsOf(schema);
  if (patterns.length) {
    const [first, ...rest] = patterns.map((p) => new RegExp(p));
    const matching = fc.stringMatching(first, { size: 'small' }).filter((s) => fits(s) && rest.every((r) => r.test(s)));
    return fc.oneof({ arbitrary: matching, weight: 4 }, { arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength ?? 40, 40) }), weight: 1 });
  }
  const cap = Math.min(maxLength ?? 80, Math.max(minLength, 80));
  const nasty = NASTY_STRINGS.filter(fits);
  const boundary = 'x'.repeat(Math.min(maxLength ?? 1000, 1000));
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength: cap, unit: 'grapheme-ascii' }), weight: 3 },
    { arbitrary: fc.string({ minLength, maxLength: cap, unit: 'grapheme' }), weight: 2 },
    // Every code point, lone surrogates included: the server must refuse these, never fail on them.
    { arbitrary: fc.string({ minLength, maxLength: cap, unit: 'binary' }), weight: 1 },
    // The boundary itself.
    ...(fits(boundary) ? [{ arbitrary: fc.constant(boundary), weight: 1 }] : []),
    ...(nasty.length ? [{ arbitrary: fc.constantFrom(...nasty), weight: 2 }] : []),
  );
}

/** A fast-check arbitrary for values of `schema`; mostly valid, so that generated calls reach the domain. */
export function arbitraryFor(schema: JsonSchema, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
  const hint = hints.byName?.[name];
  if (hint) return fc.oneof({ arbitrary: hint, weight: 9 }, { arbitrary: arbitraryFor(schema, { ...hints, byName: undefined }, name), weight: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => arbitraryFor(b, hints, name)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema, hints, name);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? arbitraryFor(schema.items, hints, name) : fc.jsonValue(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 10, 10),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryFor(s, hints, key)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as never[] });
    }
    default:
      return fc.jsonValue();
  }
}

/** `count` inputs for `schema`, the same ones on every run for the same seed. */
export function sampleInputs(schema: JsonSchema, { seed, count, hints }: { seed: number; count: number; hints?: Hints }): unknown[] {
  let arbitrary = arbitraryFor(schema, hints);
  // An input with a default may be left out altogether.
  if (schema.default !== undefined) arbitrary = fc.oneof({ arbitrary, weight: 5 }, { arbitrary: fc.constant(undefined), weight: 1 });
  return fc.sample(arbitrary, { seed, numRuns: count });
}

/** A stable seed per name: adding a procedure does not change the inputs of the others. */
export function seedFor(name: string, base = 20261123) {
  let hash = base;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * A broken input and what must happen to it: `refuse` is a 4xx with a message and no row
 * changed; `tolerate` (the input is odd but allowed by the contract, e.g. an extra key that zod
 * strips) only must not fail the server. `raw` is sent as the JSON text itself, for what
 * `JSON.stringify` cannot write (1e999, invalid JSON).
 */
export type Variant = { label: string; expect: 'refuse' | 'tolerate' } & ({ input: unknown } | { raw: string });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors a client could craft: well-formed base64url of the wrong shapes, and garbage. */
export const CRAFTED_CURSORS = [
  b64(['x', 'not-a-uuid']),
  'WyJhYmMiXQ',
  b64([1.5]),
  b64([1e308]),
  b64([-1]),
  b64([0]),
  b64(['abc']),
  b64([null, null]),
  b64({ a: 1 }),
  b64('x'),
  b64(['a\u0000b', '00000000-0000-4000-8000-000000000000']),
  Buffer.from('["\\ud800","00000000-0000-4000-8000-000000000000"]').toString('base64url'),
  '!!!not base64!!!',
  '%00',
];

/**
 * Cursors that carry an impossible date where a time-sorted list keeps its last row's time. In a
 * name-sorted list the same first value is an ordinary name, so they are only broken per sort.
 */
export const DATE_CURSORS = [
  b64(['0000-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000']),
  b64(['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
  b64(['2026-02-30T00:00:00Z', '00000000-0000-4000-8000-000000000000']),
];

/** Dates no client should send: outside 1900–9999, impossible days, or not ISO 8601 with an offset. */
export const BAD_DATES = [
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  'garbage',
  '',
];

const NUL = 'a\u0000b';
const LONE_HIGH = '\ud800';
const LONE_LOW = 'x\udfffy';

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...root] : [];
    list[head] = setAt(list[head], rest, value);
    return list;
  }
  const object = root && typeof root === 'object' && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  object[head] = setAt(object[head], rest, value);
  return object;
}

/** Raw JSON text for `base` with the value at `path` replaced by a literal (1e999 has no JSON.stringify). */
function rawAt(base: unknown, path: (string | number)[], literal: string) {
  const marker = '__fuzz_literal__';
  return JSON.stringify(setAt(base, path, marker)).replace(`"${marker}"`, literal);
}

function leafVariants(schema: JsonSchema, base: unknown, path: (string | number)[]): Variant[] {
  const at = path.join('.');
  const types = typesOf(schema);
  const nullable = types.includes('null');
  const main = mainBranch(schema);
  const out: Variant[] = [];
  const refuse = (label: string, value: unknown) => out.push({ label: `${at}: ${label}`, expect: 'refuse', input: setAt(base, path, value) });
  const refuseRaw = (label: string, literal: string) => out.push({ label: `${at}: ${label}`, expect: 'refuse', raw: rawAt(base, path, literal) });
  const wrongTypes = (allowed: string[], values: [string, unknown][]) => {
    for (const [type, value] of values) if (!allowed.includes(type)) refuse(`wrong type ${type} ${JSON.stringify(value)}`, value);
  };

  if (types.includes('integer') || types.includes('number')) {
    // A number field may also take the digits a form posts (anyOf integer | numeric string), so
    // "7" is a number on purpose; none of these is.
    refuse('1e308', 1e308);
    refuse('-1e308', -1e308);
    refuseRaw('1e999 (Infinity)', '1e999');
    if (main.minimum === undefined || main.minimum > -1) refuse('-1', -1);
    if (main.maximum !== undefined) refuse('maximum + 1', main.maximum + 1);
    if (types.includes('integer') && !types.includes('number')) {
      refuse('1.5', 1.5);
      refuse('"1.5"', '1.5');
    }
    for (const text of ['NaN', 'Infinity', '-Infinity', 'abc', '', ' ', '0x10', '1e400', '1'.repeat(400), NUL, LONE_HIGH]) refuse(`text ${JSON.stringify(text)}`, text);
    wrongTypes(types, [
      ['boolean', true],
      ['boolean', false],
      ['object', {}],
      ['array', []],
      ['array', [5]],
      ['null', null],
    ]);
  } else if (types.includes('string')) {
    refuse('NUL byte', NUL);
    refuse('lone high surrogate', LONE_HIGH);
    refuse('lone low surrogate', LONE_LOW);
    refuse(`over-long (${(main.maxLength ?? 10_000) + 1} characters)`, 'x'.repeat((main.maxLength ?? 10_000) + 1));
    if (main.minLength) refuse('shorter than minLength', 'x'.repeat(main.minLength - 1));
    if (main.enum) refuse('not one of the values', 'bogus');
    if (main.format === 'uuid') {
      refuse('not a uuid', 'not-a-uuid');
      refuse('uuid with a bad digit', '00000000-0000-4000-8000-00000000000g');
    }
    if (main.format === 'date-time') for (const date of BAD_DATES) refuse(`bad date ${JSON.stringify(date)}`, date);
    if (/cursor/i.test(String(path[path.length - 1]))) {
      for (const cursor of CRAFTED_CURSORS) refuse(`crafted cursor ${cursor}`, cursor);
      for (const cursor of DATE_CURSORS) out.push({ label: `${at}: date cursor ${cursor}`, expect: 'tolerate', input: setAt(base, path, cursor) });
    }
    wrongTypes(types, [
      ['number', 12345],
      ['boolean', true],
      ['object', { a: 'b' }],
      ['array', ['x']],
      ['null', null],
    ]);
  } else if (types.includes('boolean')) {
    for (const value of ['true', 'on', 1, 0, NUL]) refuse(`not a boolean ${JSON.stringify(value)}`, value);
    wrongTypes(types, [
      ['object', {}],
      ['array', [true]],
      ['null', null],
    ]);
  } else if (types.includes('array')) {
    refuse('a string instead of an array', 'x');
    refuse('an object instead of an array', { 0: 'x' });
    refuse('an array with a NUL item', [NUL]);
    refuse('an array with a lone surrogate item', [LONE_HIGH]);
    refuse('an array of numbers', [1, 2]);
    refuse('an array of nulls', [null]);
    refuse('nested arrays', [['x']]);
    if (main.maxItems !== undefined) {
      const item = main.items?.enum?.[0] ?? 'x';
      refuse('more than maxItems', Array.from({ length: main.maxItems + 1 }, () => item));
    }
    refuse('10,000 items', Array.from({ length: 10_000 }, () => 'x'));
    if (!nullable) refuse('null', null);
  }
  return out;
}

function walk(schema: JsonSchema, base: unknown, path: (string | number)[]): Variant[] {
  const main = mainBranch(schema);
  if (main.type === 'object' && main.properties) {
    return Object.entries(main.properties).flatMap(([key, s]) => walk(s, base, [...path, key]));
  }
  const leaf = leafVariants(schema, base, path);
  if (main.type === 'array' && main.items) return [...leaf, ...walk(main.items, base, [...path, 0])];
  return leaf;
}

/**
 * The broken inputs for a procedure: per field (NUL and lone surrogates in every string, wrong
 * types, out-of-range and non-finite numbers, impossible dates, crafted cursors, over-long text),
 * and for the input as a whole (null, an array, a string, extra keys, …). `base` is a valid input
 * the field variants start from, so that the broken field is the only reason to refuse.
 */
export function brokenVariants(schema: JsonSchema | null, base: unknown): Variant[] {
  const out: Variant[] = [];
  // Unstorable text is refused for every procedure, even one that takes no input (issue #13).
  out.push({ label: 'input is a string with a NUL byte', expect: 'refuse', input: NUL });
  out.push({ label: 'input is a lone surrogate', expect: 'refuse', input: LONE_HIGH });
  out.push({ label: 'an object with a NUL byte', expect: 'refuse', input: { x: NUL } });
  out.push({ label: 'an object whose key has a NUL byte', expect: 'refuse', input: { [NUL]: 1 } });
  out.push({ label: 'a lone surrogate deep inside', expect: 'refuse', input: { a: [{ b: [LONE_HIGH] }] } });
  // JSON that does not parse is refused before any procedure runs.
  out.push({ label: 'invalid JSON', expect: 'refuse', raw: '{"a":' });
  out.push({ label: 'JSON with a raw NUL inside a string', expect: 'refuse', raw: '{"a":"x\u0000y"}' });
  if (!schema) {
    // No input: whatever is sent is ignored, so only the server's health is at stake.
    for (const input of [null, {}, [], 42, 'x', { extra: true }]) out.push({ label: `ignored input ${JSON.stringify(input)}`, expect: 'tolerate', input });
    return out;
  }
  const requiresFields = Boolean(schema.required?.length);
  const optional = schema.default !== undefined;
  out.push({ label: 'null', expect: 'refuse', input: null });
  out.push({ label: 'an array instead of an object', expect: 'refuse', input: [base ?? {}] });
  out.push({ label: 'an empty array', expect: 'refuse', input: [] });
  out.push({ label: 'a string instead of an object', expect: 'refuse', input: 'x' });
  out.push({ label: 'a number instead of an object', expect: 'refuse', input: 1e308 });
  out.push({ label: 'true instead of an object', expect: 'refuse', input: true });
  out.push({ label: 'an empty object', expect: requiresFields ? 'refuse' : 'tolerate', input: {} });
  if (!optional) out.push({ label: 'no input at all', expect: 'refuse', input: undefined });
  // zod objects strip unknown keys: the contract allows them, so they must only do no harm.
  out.push({ label: 'an extra key', expect: 'tolerate', input: { ...(base as object), unexpected: 'x' } });
  out.push({ label: '__proto__ and constructor keys', expect: 'tolerate', raw: JSON.stringify(base ?? {}).replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},') .replace(/,\}$/, '}') });
  out.push({ label: 'an extra key with a NUL byte', expect: 'refuse', input: { ...(base as object), unexpected: NUL } });
  out.push({ label: 'an extra key that is a lone surrogate', expect: 'refuse', input: { ...(base as object), [LONE_HIGH]: 'x' } });
  out.push({ label: 'an extra key nested 100 levels deep', expect: 'tolerate', input: { ...(base as object), deep: nested(100) } });
  out.push(...walk(schema, base, []));
  return out;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/**
 * A fingerprint of every table's rows in one statement, used around each broken call: a refusal
 * must leave the database exactly as it was. Per table, the row count and the newest row version
 * (`xmin`, the id of the transaction that wrote it): every insert and update writes a row version
 * with a newer transaction id, and a delete lowers the count, so any committed change shows
 * without serialising every row (an md5 of all rows cost 9 ms a call, thousands of times). A
 * freshly cloned test database is far from transaction id wraparound. The statement is prepared
 * once on its own connection: planning the union of every table is most of its cost.
 */
export async function createSnapshotter(connectionString: string, { exclude = [] as string[] } = {}) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  onCleanup(() => client.end());
  const { rows } = await client.query<{ schema: string; name: string }>(`
    select n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'pgboss') and c.relkind in ('r', 'p') and not c.relispartition
    order by 1, 2`);
  const tables = rows.map((t) => `${t.schema}.${t.name}`).filter((t) => !exclude.includes(t));
  const text = tables
    .map((t) => `select '${t}' as t, count(*)::int as n, coalesce(max(x.xmin::text::bigint), 0)::text as h from ${t} x`)
    .join(' union all ');
  const name = `fuzz_snapshot_${tables.length}`;
  return {
    tables,
    async snapshot(): Promise<Record<string, string>> {
      const { rows: hashes } = await client.query<{ t: string; n: number; h: string }>({ name, text });
      return Object.fromEntries(hashes.map((r) => [r.t, `${r.n}:${r.h}`]));
    },
  };
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>) {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/** One way to submit a form as a browser would: its action and the name/value pairs it sends. */
export type Submission = { action: string; fields: [string, string][]; names: string[] };

const decodeEntities = (text: string) =>
  text.replace(/&(amp|quot|#x27|#39|lt|gt|#x2F);/g, (_, e: string) => ({ amp: '&', quot: '"', '#x27': "'", '#39': "'", lt: '<', gt: '>', '#x2F': '/' })[e]!);
const attribute = (attrs: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(attrs);
  return match ? decodeEntities(match[1]) : undefined;
};
const hasAttribute = (attrs: string, name: string) => new RegExp(`\\s${name}(=|\\s|/|$)`).test(attrs);

/**
 * The POST forms of a server-rendered page, as submissions: what the form sends with its default
 * values (hidden inputs, prefilled fields, checked boxes, selected options), once per named submit
 * button. `names` lists every field the form has, checked or not, for the per-field variants.
 */
export function postForms(html: string, pageUrl: string): Submission[] {
  const submissions: Submission[] = [];
  for (const [, formAttrs, body] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if ((attribute(formAttrs, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = new URL(attribute(formAttrs, 'action') ?? '', pageUrl).toString();
    const fields: [string, string][] = [];
    const names = new Set<string>();
    const buttons: [string, string][] = [];
    for (const [, tag, attrs, inner] of body.matchAll(/<(input|textarea|select|button)\b([^>]*?)\/?>(?:([\s\S]*?)<\/\1>)?/g)) {
      const name = attribute(attrs, 'name');
      if (!name || hasAttribute(attrs, 'disabled')) continue;
      names.add(name);
      const type = (attribute(attrs, 'type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
      if (tag === 'button' || type === 'submit') {
        buttons.push([name, attribute(attrs, 'value') ?? '']);
      } else if (tag === 'select') {
        const options = [...(inner ?? '').matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)];
        const chosen = options.find(([, a]) => hasAttribute(a, 'selected')) ?? options[0];
        if (chosen) fields.push([name, attribute(chosen[1], 'value') ?? decodeEntities(chosen[2])]);
      } else if (tag === 'textarea') {
        fields.push([name, decodeEntities(inner ?? '')]);
      } else if (type === 'checkbox' || type === 'radio') {
        if (hasAttribute(attrs, 'checked')) fields.push([name, attribute(attrs, 'value') ?? 'on']);
      } else if (type !== 'file' && type !== 'image' && type !== 'reset') {
        fields.push([name, attribute(attrs, 'value') ?? '']);
      }
    }
    const each = buttons.length ? buttons.map((button) => [...fields, button]) : [fields];
    for (const sent of each) submissions.push({ action, fields: sent, names: [...names] });
  }
  return submissions;
}

/** The same-page links of a page (`?tab=…`), absolute, for crawling its tabs. */
export function samePageLinks(html: string, pageUrl: string): string[] {
  const page = new URL(pageUrl);
  const links = new Set<string>();
  for (const [, href] of html.matchAll(/<a\b[^>]*\shref="([^"]*)"/g)) {
    const target = new URL(decodeEntities(href), page);
    if (target.origin === page.origin && target.pathname === page.pathname && target.search) links.add(target.toString());
  }
  return [...links];
}

/** A urlencoded body with `value` (already percent-encoded, e.g. "a%00b") in place of field `index`'s value. */
export function urlencoded(fields: [string, string][], broken?: { name: string; encoded: string }) {
  const pairs = fields.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`);
  if (!broken) return pairs.join('&');
  const at = fields.findIndex(([n]) => n === broken.name);
  const pair = `${encodeURIComponent(broken.name)}=${broken.encoded}`;
  if (at === -1) pairs.push(pair);
  else pairs[at] = pair;
  return pairs.join('&');
}
