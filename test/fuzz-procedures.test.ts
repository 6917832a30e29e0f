import fc from 'fast-check';
import type { z } from 'zod';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../db/embedded';
import { EMULATOR_WEBHOOK_SECRET } from '../server/shared/env';
import { integrationProcedures } from '../server/http/openapi';
import { startStripeEmulator } from '../server/stripe/emulator';
import { appRouter } from '../server/trpc/router';
import { onCleanup } from './setup/cleanup';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { signupInput } from './helpers/factories';
import { brokenVariants, changedTables, createSnapshotter, DATE_CURSORS, inputJsonSchema, sampleInputs, seedFor, type Variant } from './helpers/fuzz';

/**
 * Issue #13 point 4: every procedure of the router, over real HTTP, with inputs generated from its
 * own zod schema and with inputs broken on purpose. No answer may be a 5xx; every broken input is
 * a 4xx with a message and leaves every row of the database as it was.
 */

const GENERATED_PER_PROCEDURE = 15;
/** Procedures the fuzzer must not call with its own session. */
const SKIPPED: Record<string, string> = {
  // Ends the very session the fuzzer signs its requests with; its no-input path is trivial.
  'auth.logout': 'ends the fuzzer’s own session',
};

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] } };
const procedures = Object.entries((appRouter._def as unknown as { procedures: Record<string, Procedure> }).procedures);

type Caller = { name: string; headers: Record<string, string>; ids: (path: string) => (field: string) => string[] };
type Answer = { status: number; message?: string; reason?: string; text: string };
type Finding = { who: string; path: string; label: string; input: string; status: number; problem: string; log?: string };

let app: TestApp;
let url: string;
const serverErrors: string[] = [];

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url, ...headers }, body: JSON.stringify(body) });

async function json<T = { result: { data: Record<string, unknown> } }>(response: Response | Promise<Response>) {
  const r = await response;
  const body = await r.json();
  if (r.status !== 200) throw new Error(`${r.url}: ${r.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** A workspace signed up over HTTP: its Owner's cookie, a member, an API user with the Integration role and its key. */
async function workspace() {
  const input = signupInput();
  const signup = await post('auth.signup', input);
  const created = (await json(signup)).result.data as { tenant: { id: string }; user: { id: string } };
  const cookie = signup.headers.get('set-cookie')!.split(';')[0];
  const asOwner = { cookie };
  await app.database.owner('seat_pools').where({ tenantId: created.tenant.id, seatType: 'api' }).update({ included: 3 });
  const create = async (path: string, body: unknown) => (await json(post(path, body, asOwner))).result.data as { id: string; key?: string };
  const member = await create('users.create', { kind: 'standard', email: `member@${input.slug}.test`, firstName: 'Mem', lastName: 'Ber' });
  const bot = await create('users.create', { kind: 'api', email: `bot@${input.slug}.test`, firstName: 'Build', lastName: 'Bot' });
  const key = await create('apiKeys.create', { userId: bot.id, name: 'fuzzer' });
  await create('roles.create', { name: 'Fuzz readers', audience: 'internal', permissions: ['users.read'] });
  const roles = (await json(fetch(`${url}/trpc/roles.list`, { headers: asOwner }))).result.data as unknown as { id: string }[];
  return {
    cookie,
    ownerId: created.user.id,
    botId: bot.id,
    key: key.key!,
    keyId: key.id,
    ids: { tenant: [created.tenant.id], users: [created.user.id, member.id, bot.id], roles: roles.map((r) => r.id), keys: [key.id] },
  };
}

type Ids = Awaited<ReturnType<typeof workspace>>['ids'];

/**
 * Which existing ids a uuid field of a procedure gets (its own tenant's mostly, another tenant's
 * sometimes, and random ones from the generator), so that generated calls find rows to work on.
 */
function idsFor(mine: Ids, other: Ids, path: string) {
  const kindOf = (field: string) =>
    field === 'roleId' || (field === 'id' && path.startsWith('roles.'))
      ? 'roles'
      : field === 'id' && path.startsWith('apiKeys.')
        ? 'keys'
        : field === 'userId' || field === 'id'
          ? 'users'
          : undefined;
  return (field: string) => {
    const kind = kindOf(field);
    const all = (ids: Ids) => Object.values(ids).flat();
    return kind ? [...mine[kind], ...mine[kind], ...mine[kind], ...other[kind]] : [...all(mine), ...all(other)];
  };
}

/** Realistic values for fields whose rules JSON Schema cannot show (zod refinements, an email pipe). */
const byName = {
  email: fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}@[a-z0-9]{1,20}\.(test|example|com)$/).filter((e) => !e.includes('..') && !/[.]@/.test(e)),
  timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Etc/GMT+12'),
  locale: fc.constantFrom('en', 'fr-CA', 'de', 'ja-JP', 'zh-Hant-TW', 'sr-Latn'),
  password: fc.string({ minLength: 12, maxLength: 128, unit: 'grapheme' }),
  newPassword: fc.string({ minLength: 12, maxLength: 128, unit: 'grapheme' }),
};

beforeAll(async () => {
  // Server-side errors are collected, so a 5xx is reported with its stack.
  const log = pino({ level: 'error' }, { write: (line: string) => void serverErrors.push(line) });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Billing needs Stripe: without the emulator billing.* would answer 503 by design.
  const emulator = await startStripeEmulator({ webhookUrl: `${url}/webhooks/stripe`, webhookSecret: EMULATOR_WEBHOOK_SECRET });
  onCleanup(() => emulator.close());
  const unlimited = '1000000';
  app = await createTestApp({
    APP_URL: url,
    STRIPE_EMULATOR_URL: emulator.url,
    SIGN_IN_RATE_LIMIT: unlimited,
    PASSWORD_RESET_RATE_LIMIT: unlimited,
    API_KEY_RATE_LIMIT: unlimited,
    SIGNUP_RATE_LIMIT: unlimited,
  });
  app.deps.log = log;
  await startHttp(app.deps, { port });
});

async function send(caller: Caller, path: string, type: string, variant: { input?: unknown; raw?: string }): Promise<Answer> {
  serverErrors.length = 0;
  const raw = 'raw' in variant && variant.raw !== undefined ? variant.raw : variant.input === undefined ? undefined : JSON.stringify(variant.input);
  let response: Response;
  if (type === 'query') {
    const target = `${url}/trpc/${path}${raw === undefined ? '' : `?input=${encodeURIComponent(raw)}`}`;
    // Node refuses request lines over 16 KB with a bare 431 before the app sees them.
    if (target.length > 12_000) throw new Error(`${path}: a query input of ${target.length} characters does not fit in a URL; shorten the variant`);
    response = await fetch(target, { headers: caller.headers });
  } else {
    response = await fetch(`${url}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url, ...caller.headers },
      body: raw,
    });
  }
  const text = await response.text();
  let body: { error?: { message?: unknown; data?: { reason?: unknown } } } = {};
  try {
    body = JSON.parse(text);
  } catch {}
  const message = typeof body.error?.message === 'string' ? body.error.message : undefined;
  const reason = typeof body.error?.data?.reason === 'string' ? body.error.data.reason : undefined;
  return { status: response.status, message, reason, text };
}

/** Bodies that are not JSON at all, sent to every mutation. */
function transportVariants(): (Variant & { contentType: string; body: string })[] {
  const boundary = '----fuzz7MA4YWxkTrZu0gW';
  return [
    { label: 'text/plain body', expect: 'refuse', input: null, contentType: 'text/plain', body: '{"a":1}' },
    { label: 'no content-type', expect: 'refuse', input: null, contentType: '', body: '{"a":1}' },
    { label: 'multipart with garbage', expect: 'refuse', input: null, contentType: `multipart/form-data; boundary=${boundary}`, body: 'garbage\r\n\u0000\u0001--not-the-boundary' },
    {
      label: 'well-formed multipart with a NUL byte',
      expect: 'refuse',
      input: null,
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\na\u0000b\r\n--${boundary}--\r\n`,
    },
    { label: 'application/octet-stream body', expect: 'refuse', input: null, contentType: 'application/octet-stream', body: '\u0000\u0001\u0002' },
    { label: 'urlencoded body', expect: 'refuse', input: null, contentType: 'application/x-www-form-urlencoded', body: 'name=a%00b' },
  ];
}

async function sendTransport(caller: Caller, path: string, variant: { contentType: string; body: string }): Promise<Answer> {
  serverErrors.length = 0;
  const headers: Record<string, string> = { origin: url, ...caller.headers };
  if (variant.contentType) headers['content-type'] = variant.contentType;
  // A Buffer body, so that fetch adds no content-type of its own.
  const response = await fetch(`${url}/trpc/${path}`, { method: 'POST', headers, body: Buffer.from(variant.body) });
  const text = await response.text();
  let body: { error?: { message?: unknown; data?: { reason?: unknown } } } = {};
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, message: typeof body.error?.message === 'string' ? body.error.message : undefined, reason: undefined, text };
}

async function fuzz(caller: Caller, paths: string[], { alive, ignoreTables = [] }: { alive: () => Promise<boolean>; ignoreTables?: string[] }) {
  // Every table of public and pgboss (a job enqueued by a refused call would show there). Nothing
  // is left out for a session: the test clock stands still, so sessions.last_seen_at is never
  // touched, and a refused sign-in never gets as far as login_events or rate_limits.
  const { snapshot } = await createSnapshotter(app.database.url);
  const findings: Finding[] = [];
  // `accepted`: generated calls answered 2xx, i.e. that reached the domain and the database.
  const counts = { procedures: 0, generated: 0, accepted: 0, broken: 0, fiveHundreds: 0 };
  let last: Record<string, string> | undefined;

  const check = async (path: string, label: string, inputText: string, answer: Answer, expectation: 'refuse' | 'tolerate' | 'generated', before?: Record<string, string>) => {
    const finding = (problem: string) =>
      findings.push({ who: caller.name, path, label, input: inputText.slice(0, 300), status: answer.status, problem, log: answer.status >= 500 ? serverErrors.join('\n').slice(0, 3000) : undefined });
    if (answer.status >= 500) {
      counts.fiveHundreds += 1;
      finding(`5xx: ${answer.text.slice(0, 300)}`);
    }
    // The class-22 backstop in server/errors.ts: the input passed validation and the database refused it.
    if (answer.reason === 'INVALID_VALUE') finding(`passed validation, refused by PostgreSQL: ${answer.message}`);
    if (answer.status >= 400 && answer.status < 500 && !answer.message) finding(`4xx without error.message: ${answer.text.slice(0, 200)}`);
    if (expectation !== 'refuse') return;
    if (answer.status < 400 || answer.status >= 500) finding(`expected a 4xx refusal, got ${answer.status}: ${answer.text.slice(0, 200)}`);
    const after = await snapshot();
    const changed = changedTables(before!, after).filter((t) => !ignoreTables.includes(t));
    if (changed.length) finding(`rows changed in ${changed.join(', ')}`);
    last = after;
  };

  for (const path of paths) {
    const procedure = Object.fromEntries(procedures)[path];
    const { type, inputs } = procedure._def;
    expect(inputs.length, `${path} has more than one input parser; teach the fuzzer to merge them`).toBeLessThanOrEqual(1);
    const zodInput = inputs[0];
    const schema = zodInput ? inputJsonSchema(zodInput) : null;
    counts.procedures += 1;

    // Generated inputs: mostly valid, so they reach the domain and the database.
    const generated = schema ? sampleInputs(schema, { seed: seedFor(path), count: GENERATED_PER_PROCEDURE, hints: { uuids: caller.ids(path), byName } }) : [undefined];
    for (const input of generated) {
      const answer = await send(caller, path, type, { input });
      counts.generated += 1;
      if (answer.status < 300) counts.accepted += 1;
      await check(path, 'generated', JSON.stringify(input) ?? 'undefined', answer, 'generated');
    }
    last = undefined;

    // A valid base for the field variants, so that the broken field is the only thing wrong.
    const base = schema ? (generated.find((input) => zodInput.safeParse(input).success) ?? generated[0]) : undefined;
    const variants: (Variant & { contentType?: string; body?: string })[] = [...brokenVariants(schema, base), ...(type === 'mutation' ? transportVariants() : [])];
    for (const variant of variants) {
      const before = variant.expect === 'refuse' ? (last ?? (await snapshot())) : undefined;
      const answer =
        variant.contentType !== undefined ? await sendTransport(caller, path, variant as { contentType: string; body: string }) : await send(caller, path, type, variant);
      counts.broken += 1;
      const text = 'raw' in variant ? variant.raw : variant.contentType !== undefined ? `${variant.contentType}: ${variant.body}` : (JSON.stringify(variant.input) ?? 'undefined');
      await check(path, variant.label, text, answer, variant.expect, before);
      if (variant.expect !== 'refuse') last = undefined;
    }
    // A procedure that ended or crippled the fuzzer's own session would hide every later finding.
    if (!(await alive())) throw new Error(`${caller.name}: after ${path} the fuzzer can no longer call the API`);
  }
  // Not one of the __proto__/constructor keys reached an object's prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  return { findings, counts };
}

function report(name: string, counts: { procedures: number; generated: number; accepted: number; broken: number; fiveHundreds: number }, findings: Finding[]) {
  console.log(
    `fuzz-procedures (${name}): ${counts.procedures} procedures × ${counts.generated + counts.broken} inputs (${counts.generated} generated, ${counts.accepted} of them accepted; ${counts.broken} broken), 5xx found: ${counts.fiveHundreds}, findings: ${findings.length}`,
  );
  for (const f of findings) console.log(JSON.stringify(f));
}

describe('fuzzing every procedure over HTTP (issue #13)', () => {
  it('enumerates every procedure of the router', () => {
    const paths = procedures.map(([path]) => path);
    // 35 today; an empty or partial enumeration fails here instead of passing vacuously.
    expect(paths.length).toBeGreaterThanOrEqual(35);
    expect(paths).toEqual(expect.arrayContaining(['auth.signup', 'users.create', 'users.list', 'billing.checkoutStatus', 'apiKeys.revoke']));
    for (const path of Object.keys(SKIPPED)) expect(paths).toContain(path);
  });

  it('as a signed-in Owner: no 5xx; every broken input is a 4xx with a message that changes no row', { timeout: 120_000 }, async () => {
    const mine = await workspace();
    const other = await workspace();
    // Actions on the fuzzer's own user (demote, flag for a password change, ban) would stop it.
    const ids = { ...mine.ids, users: mine.ids.users.filter((id) => id !== mine.ownerId) };
    const caller: Caller = { name: 'owner session', headers: { cookie: mine.cookie }, ids: (path) => idsFor(ids, other.ids, path) };
    const alive = async () => (await fetch(`${url}/trpc/auth.me`, { headers: caller.headers })).status === 200;
    const paths = procedures.map(([path]) => path).filter((path) => !SKIPPED[path]);
    const { findings, counts } = await fuzz(caller, paths, { alive });
    report('Owner session', counts, findings);
    expect(counts.procedures).toBe(procedures.length - Object.keys(SKIPPED).length);
    expect(findings).toEqual([]);
  });

  it('a time-sorted list refuses a cursor with an impossible date (the same text is a valid name cursor)', async () => {
    const mine = await workspace();
    const caller: Caller = { name: 'owner session', headers: { cookie: mine.cookie }, ids: () => () => [] };
    for (const sort of ['created', 'lastSignIn']) {
      for (const cursor of DATE_CURSORS) {
        const answer = await send(caller, 'users.list', 'query', { input: { sort, cursor } });
        expect({ sort, cursor, status: answer.status, message: answer.message }).toEqual({ sort, cursor, status: 400, message: expect.stringMatching(/\w/) });
      }
    }
  });

  it('odd requests around the procedures: unknown paths, batches, wrong methods, broken URL encoding', async () => {
    const mine = await workspace();
    const cookie = { cookie: mine.cookie };
    const { snapshot } = await createSnapshotter(app.database.url);
    const many = Array.from({ length: 11 }, () => 'users.get').join(',');
    const requests: [string, string, RequestInit?, ('refuse' | 'tolerate' | 'partial')?][] = [
      ['unknown procedure', '/trpc/users.nope'],
      ['unknown router', '/trpc/nope.list'],
      ['a path into the router object', '/trpc/users'],
      ['prototype path', '/trpc/__proto__.toString'],
      ['constructor path', '/trpc/users.constructor'],
      ['empty path', '/trpc/'],
      ['a 5,000-character path', `/trpc/${'a'.repeat(5000)}`],
      ['a mutation over GET', `/trpc/users.create?input=${encodeURIComponent('{"kind":"standard"}')}`],
      ['a query over POST', '/trpc/users.list', { method: 'POST', body: '{}' }],
      ['broken percent-encoding', '/trpc/users.list?input=%E0%A4%A'],
      ['broken percent-encoding in the path', '/trpc/users.list%E0%A4%A'],
      ['a lone surrogate’s bytes in the path', '/trpc/%ED%A0%80'],
      ['an encoded NUL in the path', '/trpc/users.list%00'],
      ['a lone %', '/trpc/users.list?input=%'],
      ['an encoded NUL in the input', '/trpc/users.list?input=%7B%22q%22%3A%22%00%22%7D'],
      // The first `input` counts.
      ['input twice', `/trpc/users.list?input=${encodeURIComponent('{}')}&input=${encodeURIComponent('"x"')}`, undefined, 'tolerate'],
      ['a batch of 11', `/trpc/${many}?batch=1&input=${encodeURIComponent('{}')}`],
      ['a batch whose input is not an object', `/trpc/users.list,users.get?batch=1&input=${encodeURIComponent('"x"')}`],
      ['a batch whose input is an array', `/trpc/users.list,users.get?batch=1&input=${encodeURIComponent('[{},{}]')}`],
      // A batch answers 207 when some of its calls fail: that call's own answer must be the refusal.
      ['a batch with NUL in the second input', `/trpc/users.list,users.get?batch=1&input=${encodeURIComponent('{"1":{"id":"a\\u0000"}}')}`, undefined, 'partial'],
      ['a batch mixing a query and a mutation', `/trpc/users.list,users.create?batch=1&input=${encodeURIComponent('{}')}`, { method: 'POST', body: '{}' }],
      ['a batch with an unknown procedure', `/trpc/users.list,users.nope?batch=1&input=${encodeURIComponent('{}')}`, undefined, 'partial'],
      // Not a batch: one call with that input.
      ['batch=2', `/trpc/users.list?batch=2&input=${encodeURIComponent('{}')}`, undefined, 'tolerate'],
      ['a mutation batch with a NUL', '/trpc/users.create,users.create?batch=1', { method: 'POST', body: '{"0":{"kind":"a\\u0000"},"1":{}}' }],
      ['connectionParams garbage', `/trpc/users.list?connectionParams=${encodeURIComponent('{')}`],
      ['a JSON body of 1,000 nested arrays', '/trpc/users.create', { method: 'POST', body: `${'['.repeat(1000)}${']'.repeat(1000)}` }],
      ['a JSON body of 100,000 nested arrays', '/trpc/users.create', { method: 'POST', body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }],
      ['a body over 1 MB', '/trpc/users.create', { method: 'POST', body: `"${'x'.repeat(1024 * 1024 + 10)}"` }],
    ];
    const problems: string[] = [];
    for (const [label, path, init, expectation = 'refuse'] of requests) {
      const before = await snapshot();
      serverErrors.length = 0;
      const response = await fetch(`${url}${path}`, {
        ...init,
        headers: { ...cookie, origin: url, ...(init?.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      });
      const text = await response.text();
      const changed = changedTables(before, await snapshot());
      const wrong =
        response.status >= 500 ||
        (expectation === 'refuse' && response.status < 400) ||
        (expectation === 'partial' && !(response.status === 207 && (JSON.parse(text) as { error?: { message: string } }[]).some((call) => call.error?.message)));
      if (wrong) problems.push(`${label}: ${response.status} ${text.slice(0, 200)} ${serverErrors.join('\n').slice(0, 1000)}`);
      if (changed.length) problems.push(`${label}: rows changed in ${changed.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('with an Integration API key on the integration procedures: the same', { timeout: 120_000 }, async () => {
    const mine = await workspace();
    const other = await workspace();
    // Its own user and key: deactivating or revoking them would end the fuzzer's access.
    const ids = { ...mine.ids, users: mine.ids.users.filter((id) => id !== mine.botId), keys: [] };
    const caller: Caller = { name: 'API key', headers: { authorization: `Bearer ${mine.key}` }, ids: (path) => idsFor(ids, other.ids, path) };
    const alive = async () => (await fetch(`${url}/trpc/seats.summary`, { headers: caller.headers })).status === 200;
    await alive(); // the key's first use records its last use; later calls do not move it within the minute
    const paths = integrationProcedures.map((p) => p.path);
    expect(paths.every((path) => procedures.some(([p]) => p === path))).toBe(true);
    // Each key request counts a hit in rate_limits before its input is read: that row must move.
    const { findings, counts } = await fuzz(caller, paths, { alive, ignoreTables: ['public.rate_limits'] });
    report('Integration API key', counts, findings);
    expect(counts.procedures).toBe(integrationProcedures.length);
    expect(findings).toEqual([]);
  });
});
