import fc from 'fast-check';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { NASTY_STRINGS, changedTables, createSnapshotter, seedFor } from './helpers/fuzz';
import { PATCH_OP, newUser, provisionedWorkspace, scimRequest } from './helpers/scim';

/**
 * Issue #16 with issue #13's rule: random and malformed SCIM requests (paths, filters, bodies,
 * PATCH operations) are always a 4xx SCIM error or a read, never a 5xx, and write nothing.
 */
let app: TestApp;
let url: string;
const serverErrors: string[] = [];

beforeAll(async () => {
  app = await createTestApp({ SCIM_RATE_LIMIT: '1000000' });
  app.deps.log = pino({ level: 'error' }, { write: (line: string) => void serverErrors.push(line) });
  ({ url } = await startHttp(app.deps));
});

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom(...NASTY_STRINGS));
/** Anything JSON can carry where a user or group is expected, except a body that could be valid. */
const notAResource = fc.oneof(
  fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
  fc.dictionary(text, fc.jsonValue(), { maxKeys: 5 }).filter((o) => typeof o.userName !== 'string' && typeof o.displayName !== 'string'),
  fc.record({ userName: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())), displayName: fc.oneof(fc.integer(), fc.constant([])) }),
  fc.record({ userName: fc.constant('typed@x.test'), active: text.filter((s) => !['true', 'false'].includes(s.trim().toLowerCase())) }),
  fc.record({ userName: fc.constant('typed@x.test'), emails: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { minLength: 1 })) }),
);
const brokenPatch = fc.oneof(
  fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.array(fc.record({ op: text.filter((s) => !['add', 'replace', 'remove'].includes(s.trim().toLowerCase())), path: text, value: fc.jsonValue() }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ schemas: fc.array(text, { maxLength: 2 }), Operations: fc.jsonValue() }),
  fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.constant([]) }),
  fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.constant([{ op: 'remove' }]) }),
);
/** Well-formed operations on paths that are not ours or not paths at all: refused, or changing nothing. */
const strangePaths = fc.record({
  schemas: fc.constant([PATCH_OP]),
  Operations: fc.array(
    fc.record({
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove'),
      path: fc.oneof(text, fc.constantFrom('emails[type eq', 'emails[zz]', '[]', 'emails[type eq "work"].value.x', 'members[value eq "x"]', 'name..x', 'urn:x:y', 'a.b.c.d')),
      value: fc.jsonValue(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});
const rawBody = fc.oneof(
  fc.constantFrom('{', '{"userName":', '[1,2', 'null', '"text"', '{"a":1}}', '\u0000', '{"userName":"a@b.test","name":{"givenName":"\\u0000"}}'),
  fc.string({ maxLength: 60 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

describe('fuzzing /scim/v2 (issues #13 and #16)', () => {
  it('no 5xx; every refusal is a SCIM error; nothing is written', { timeout: 60_000 }, async () => {
    const ws = await provisionedWorkspace(app);
    const user = (await scimRequest(url, ws.token, 'POST', '/Users', newUser(`fuzz@${ws.input.slug}.test`))).body.id as string;
    const group = (await scimRequest(url, ws.token, 'POST', '/Groups', { displayName: 'Fuzzers', members: [{ value: user }] })).body.id as string;
    await scimRequest(url, ws.token, 'GET', '/Users');
    // Each request counts against the token (rate_limits); nothing else may change.
    const snapshotter = await createSnapshotter(app.database.url, { exclude: ['pgboss.version', 'public.rate_limits'] });
    const before = await snapshotter.snapshot();

    const seed = seedFor('scim-fuzz');
    const encode = (s: string) => encodeURIComponent(s);
    // `reads`: a request that may be answered 2xx (a read, or an operation on nothing we keep), still writing nothing.
  const requests: { method: string; path: string; body?: unknown; reads?: boolean }[] = [
      ...fc.sample(text, { seed, numRuns: 40 }).map((s) => ({ method: 'GET', path: `/Users?filter=${encode(s)}`, reads: true })),
      ...fc.sample(text, { seed: seed + 1, numRuns: 30 }).map((s) => ({ method: 'GET', path: `/Groups?filter=${encode(`displayName eq ${s}`)}&startIndex=${encode(s)}`, reads: true })),
      ...fc.sample(text, { seed: seed + 2, numRuns: 20 }).map((s) => ({ method: 'GET', path: `/Users?count=${encode(s)}&attributes=${encode(s)}&excludedAttributes=${encode(s)}`, reads: true })),
      ...fc.sample(fc.tuple(fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST'), fc.constantFrom('/Users/', '/Groups/', '/Schemas/', '/ResourceTypes/', '/', '/Bulk/'), text), { seed: seed + 3, numRuns: 40 }).map(
        ([method, prefix, s]) => ({ method, path: `${prefix}${encode(s)}`, body: method === 'GET' || method === 'DELETE' ? undefined : '{' }),
      ),
      ...fc.sample(notAResource, { seed: seed + 4, numRuns: 40 }).flatMap((body) => [
        { method: 'POST', path: '/Users', body: body ?? 'null' },
        { method: 'PUT', path: `/Users/${user}`, body: body ?? 'null' },
        { method: 'POST', path: '/Groups', body: body ?? 'null' },
        { method: 'PUT', path: `/Groups/${group}`, body: body ?? 'null' },
      ]),
      ...fc.sample(brokenPatch, { seed: seed + 5, numRuns: 30 }).flatMap((body) => [
        { method: 'PATCH', path: `/Users/${user}`, body },
        { method: 'PATCH', path: `/Groups/${group}`, body },
      ]),
      ...fc.sample(strangePaths, { seed: seed + 7, numRuns: 40 }).flatMap((body) => [
        { method: 'PATCH', path: `/Users/${user}`, body, reads: true },
        { method: 'PATCH', path: `/Groups/${group}`, body, reads: true },
      ]),
      ...fc.sample(rawBody, { seed: seed + 6, numRuns: 20 }).flatMap((body) => [
        { method: 'POST', path: '/Users', body },
        { method: 'PATCH', path: `/Users/${user}`, body },
      ]),
    ];
    const findings: string[] = [];
    for (const r of requests) {
      const answer = await scimRequest(url, ws.token, r.method, r.path, r.body);
      const where = `${r.method} ${r.path} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
      if (answer.status >= 500) findings.push(`5xx: ${where} ${serverErrors.join(' ').slice(0, 500)}`);
      else if (answer.status >= 400) {
        const body = answer.body as { schemas?: string[]; status?: string; detail?: string };
        if (body.schemas?.[0] !== 'urn:ietf:params:scim:api:messages:2.0:Error' || body.status !== String(answer.status) || !body.detail) findings.push(`not a SCIM error: ${where}`);
      } else if (!(r.reads && [200, 204].includes(answer.status))) findings.push(`accepted: ${where}`);
      serverErrors.length = 0;
    }
    expect(findings).toEqual([]);
    expect(requests.length).toBeGreaterThan(300);
    expect(changedTables(before, await snapshotter.snapshot())).toEqual([]);
  });
});
