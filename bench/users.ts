/**
 * `npm run bench -- users`: users.list search and users.create through the real web process,
 * each next to a raw node-pg baseline doing the same database work in the same run.
 */
import pg from 'pg';
import { createDb, WEB_ROLE, withTenant } from '../db/index';
import { listUsersInput } from '../server/contract/users';
import { hashToken } from '../server/domain/auth/tokens';
import { listUsers, SEARCH_WALK_ROWS } from '../server/domain/users/read';
import type { FloorStatement } from './floor-server';
import { benchDatabase, fmt, httpClient, median, mediansInBlocks, queryPath, cookieFrom, startFloorServer, startWeb, throughput, WARM_UP } from './harness';

const USERS = 100_000;
/** The any-search figures are measured again once the tenant has this many users. */
const MANY_USERS = 1_000_000;
const CLIENTS = 10;
const SAMPLES = 200;

/** The selective search of the median figures: 11 users at 100,000, 111 at 1,000,000. */
const SELECTIVE = 'rst4242';
/**
 * Issue #20's query set: what a person typing sends first (1 and 2 characters), common
 * substrings, the domain everyone shares, a rare string and one that matches nothing.
 */
const QUERY_SET = ['a', '7', 'la', '42', 'last', 'first', '@bench.test', 'handle777', 'zzzq'];
/** Measured on their own, outside the target: two characters that match nothing, and a string in 1 % of users. */
const OUTSIDE = [
  { q: 'qz', what: '2 characters, no match', samples: 3 },
  { q: 'last42', what: 'in 1.1 % of users', samples: 10 },
];

/** Seeds users numbered from..to into the tenant, in one statement. */
const seedUsers = (pool: pg.Pool, tenantId: string, roleId: string, from: number, to: number) =>
  pool.query(
    `insert into users (tenant_id, kind, email, user_name, first_name, last_name, display_name, role_id, status, created_at)
     select $1, 'standard', 'user' || i || '@bench.test', 'handle' || i, 'First' || i, 'Last' || (i % 997), 'First' || i || ' Last' || (i % 997),
            $2, (array['active','active','active','deactivated','invited'])[1 + i % 5]::user_status, now() - i * interval '1 minute'
     from generate_series($3::int, $4::int) i`,
    [tenantId, roleId, from, to],
  );

/** The statements listUsers sends for `input` (after its transaction's opening: the page, and its capped count when `withTotal`), with their values. */
async function sentStatements(url: string, tenantId: string, input: object, plan: 'auto' | 'trigram' = 'auto') {
  const db = createDb(url, { role: WEB_ROLE, max: 1 });
  const sent: { text: string; values: unknown[] }[] = [];
  db.on('query', (query: { sql: string; bindings?: unknown[] }) => sent.push({ text: query.sql, values: query.bindings ?? [] }));
  try {
    await withTenant(db, tenantId, (trx) => listUsers(trx, listUsersInput.parse(input), { plan }));
  } finally {
    await db.destroy();
  }
  const statements = sent.filter((s) => /^(with|select)/.test(s.text));
  if (!statements.length) throw new Error(`listUsers sent no select: ${JSON.stringify(sent)}`);
  return statements;
}

/** The page's statement alone. */
const sentStatement = async (...args: Parameters<typeof sentStatements>) => (await sentStatements(...args))[0];

async function timed(times: number, fn: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/**
 * Any search under load: `CLIENTS` concurrent clients, in alternating rounds, send the selective
 * search, then the query set in turn (each client its next pattern). First pages only.
 */
async function anySearch(get: (q: string) => Promise<unknown>, rounds: number, perClient: number) {
  const selective: number[] = [];
  const bySearch = Object.fromEntries(QUERY_SET.map((q) => [q, [] as number[]]));
  const concurrently = async (next: (i: number) => string, record: (q: string, ms: number) => void) => {
    let i = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let n = 0; n < perClient; n++) {
          const q = next(i++);
          const start = performance.now();
          await get(q);
          record(q, performance.now() - start);
        }
      }),
    );
  };
  for (let round = -1; round < rounds; round++) {
    const warm = round < 0;
    await concurrently(() => SELECTIVE, (_, ms) => !warm && selective.push(ms));
    await concurrently((i) => QUERY_SET[i % QUERY_SET.length], (q, ms) => !warm && bySearch[q].push(ms));
  }
  return { selective: median(selective), all: Object.values(bySearch).flat(), bySearch };
}

export async function benchUsers() {
  const database = await benchDatabase();
  const web = await startWeb(database.url);
  const pool = new pg.Pool({ connectionString: database.url, max: CLIENTS + 2 });
  const client = httpClient(web.url, { sockets: CLIENTS });
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' });
    const { tenant, user } = signup.body.result.data;
    const cookie = cookieFrom(signup);
    await pool.query(`update seat_pools set included = 10000000 where tenant_id = $1`, [tenant.id]);
    console.log(`seeding ${USERS.toLocaleString('en')} users…`);
    await seedUsers(pool, tenant.id, user.roleId, 1, USERS);
    await pool.query('analyze users');

    // Search: the procedure over HTTP, the same statement on a raw connection, and the stack's
    // floors, right after seeding (GIN's pending list still holds recent rows) and after VACUUM.
    const term = SELECTIVE;
    // The very statement users.list sends (server/domain/users/read.ts), as knex sent it, on a
    // plain connection that has the tenant set once: the same database work without HTTP, session
    // or transaction.
    const [pageStatement] = await sentStatements(database.url, tenant.id, { q: term, limit: 50 });
    const rawSearch: FloorStatement = { ...pageStatement, rows: 11 };
    const setTenant = `select set_config('app.tenant_id', '${tenant.id}', false)`;
    const raw = new pg.Client(database.url);
    await raw.connect();
    await raw.query(setTenant);
    const input = { q: term, limit: 50 };
    const searchPath = queryPath('users.list', input);
    const answer = (await client.get(searchPath, { cookie })).body.result.data;
    const opening = { tokenHash: hashToken(cookie.split('=')[1]) };
    floor = await startFloorServer({ answer, database: { url: database.url, onConnect: setTenant, opening, statements: [rawSearch] } }, { sockets: 1 });
    const searches = {
      app: async () => {
        const response = await client.get(searchPath, { cookie });
        if (response.status !== 200 || response.body.result.data.items.length !== 11) throw new Error(`users.list answered ${response.status}: ${JSON.stringify(response.body)}`);
      },
      raw: async () => {
        const result = await raw.query(rawSearch.text, rawSearch.values);
        if (result.rowCount !== 11) throw new Error(`the raw search found ${result.rowCount} rows`);
      },
      floor: floor.query('answer', input),
      floorStatement: floor.query('statements', input),
      floorRequest: floor.query('request', input),
      floorKnex: floor.query('knexRequest', input),
    };
    const seeded = await mediansInBlocks(SAMPLES, searches);
    await pool.query('vacuum analyze users');
    const vacuumed = await mediansInBlocks(SAMPLES, searches);

    // Any search, first pages, 10 concurrent clients; then, one client, what the statement of
    // before issue #20 (the trigram index's matches, all sorted) takes for a few of the set.
    const search = async (q: string) => {
      const response = await client.get(queryPath('users.list', { q, limit: 50 }), { cookie });
      if (response.status !== 200) throw new Error(`users.list answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body.result.data.items.length as number;
    };
    console.log('searching any pattern, 100,000 users…');
    const any100k = await anySearch(search, 5, 10);
    const outside100k = [];
    for (const { q, what, samples } of OUTSIDE) outside100k.push(`${JSON.stringify(q)} (${what}) ${fmt(median(await timed(samples, () => search(q))), 0)} ms`);
    const before: Record<string, number> = {};
    for (const q of ['a', 'last', '@bench.test', 'handle777', SELECTIVE]) {
      const statement = await sentStatement(database.url, tenant.id, { q, limit: 50 }, 'trigram');
      before[q] = median(await timed(q === SELECTIVE ? 21 : 3, () => raw.query(statement.text, statement.values)));
    }
    // …and the statement of now for the selective search, timed the same way next to it.
    before[`${SELECTIVE}, now`] = median(await timed(21, () => raw.query(rawSearch.text, rawSearch.values)));
    // A page from the middle of the list by name: under row-level security neither lower() nor a
    // row comparison is leakproof, so the cursor only filters and the walk starts at the first row.
    const middle = { q: 'a', limit: 50, cursor: Buffer.from(JSON.stringify(['first5', '00000000-0000-0000-0000-000000000000'])).toString('base64url') };
    const cursorDepth = {
      first: median(await timed(20, () => search('a'))),
      middle: median(await timed(20, () => client.get(queryPath('users.list', middle), { cookie }))),
    };
    await raw.end();

    // Creation under concurrency: the procedure, and the raw rule (lock the pool row, count, insert).
    // BENCH_USERS_SEARCH_ONLY (any value) skips it, to repeat the search figures sooner.
    const creates = process.env.BENCH_USERS_SEARCH_ONLY ? 10 : 1000;
    const create = await throughput(creates, CLIENTS, async (i) => {
      const response = await client.post('/trpc/users.create', { kind: 'standard', email: `new${i}@bench.test`, firstName: 'New', lastName: String(i) }, { cookie });
      if (response.status !== 200) throw new Error(`users.create answered ${response.status}: ${JSON.stringify(response.body)}`);
    });
    const rawCreate = await throughput(creates, CLIENTS, async (i) => {
      const connection = await pool.connect();
      try {
        await connection.query('begin');
        await connection.query(`select purchased from seat_pools where tenant_id = $1 and seat_type = 'standard' for update`, [tenant.id]);
        await connection.query(
          `select count(*) from users where tenant_id = $1 and kind = 'standard' and not is_system and status in ('invited','active','suspended','locked')`,
          [tenant.id],
        );
        await connection.query(
          `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status) values ($1, 'standard', $2, 'Raw', 'Raw', 'Raw', $3, 'invited')`,
          [tenant.id, `raw${i}@bench.test`, user.roleId],
        );
        await connection.query('commit');
      } finally {
        connection.release();
      }
    });

    const searchLine = (label: string, m: typeof seeded) => {
      const vsRaw = (ms: number) => `${fmt(ms, 2)} ms (${fmt(ms / m.raw, 2)}× raw)`;
      console.log(`  users.list search, ${label}   median ${fmt(m.app, 2)} ms   raw SQL ${fmt(m.raw, 2)} ms   ratio ${fmt(m.app / m.raw, 2)}× (target ≤ 2×)`);
      console.log(`    the stack without Seatwise, same answer: bare ${vsRaw(m.floor)} · + the raw statement ${vsRaw(m.floorStatement)}`);
      console.log(`      as a request (session opening, read-only transaction): node-pg ${vsRaw(m.floorRequest)} · knex ${vsRaw(m.floorKnex)}`);
      console.log(`    against the knex floor: ${fmt(m.app / m.floorKnex, 2)}× (target ≤ 1.25×)`);
    };
    const anyLines = (users: number, any: Awaited<ReturnType<typeof anySearch>>) => {
      const p95 = percentile(any.all, 0.95);
      console.log(
        `  any search, ${users.toLocaleString('en')} users, ${CLIENTS} concurrent clients: query set p95 ${fmt(p95, 1)} ms, selective median ${fmt(any.selective, 2)} ms, ratio ${fmt(p95 / any.selective, 2)}× (target ≤ 3×)`,
      );
      console.log(`    p50/p95 ms by pattern: ${QUERY_SET.map((q) => `${JSON.stringify(q)} ${fmt(median(any.bySearch[q]), 1)}/${fmt(percentile(any.bySearch[q], 0.95), 1)}`).join(' · ')}`);
    };
    console.log(
      '\nusers benchmark (%s users in one tenant; search: medians of %d in alternating blocks after %d to warm up; create: %d concurrent clients)',
      USERS.toLocaleString('en'), SAMPLES, WARM_UP, CLIENTS,
    );
    searchLine('right after seeding', seeded);
    searchLine('after VACUUM       ', vacuumed);
    anyLines(USERS, any100k);
    console.log(`    outside the set, one client, median: ${outside100k.join(' · ')}`);
    console.log(`    before issue #20 (all trigram matches sorted), raw SQL, one client: ${Object.entries(before).map(([q, ms]) => `${JSON.stringify(q)} ${fmt(ms, 1)} ms`).join(' · ')}`);
    console.log(`    a page from the middle by name ("a", after "first5"): ${fmt(cursorDepth.middle, 2)} ms, the first page ${fmt(cursorDepth.first, 2)} ms`);
    if (process.env.BENCH_USERS_SEARCH_ONLY) console.log('  users.create        (not measured: BENCH_USERS_SEARCH_ONLY)');
    else console.log(`  users.create        ${fmt(create)} /s        raw SQL ${fmt(rawCreate)} /s   ratio ${fmt(create / rawCreate, 2)}× (target ≥ 0.5×)`);
    console.log(`  web peak memory     ${fmt(await web.peakMemoryMb())} MB (target < 300 MB)`);

    // The same figures at 1,000,000 users: the tenant grows in one statement, then VACUUM.
    // BENCH_USERS_SEARCH_ONLY=100k stops before, for repeating the 100,000-user figures sooner.
    if (process.env.BENCH_USERS_SEARCH_ONLY === '100k') return;
    console.log(`\nseeding up to ${MANY_USERS.toLocaleString('en')} users…`);
    const seedStart = performance.now();
    await seedUsers(pool, tenant.id, user.roleId, USERS + 1, MANY_USERS);
    await pool.query('vacuum analyze users');
    console.log(`  seeded and vacuumed in ${fmt((performance.now() - seedStart) / 1000, 0)} s`);
    console.log('searching any pattern, 1,000,000 users…');
    const anyMillion = await anySearch(search, 3, 10);
    const outside = [];
    for (const { q, what, samples } of OUTSIDE) outside.push(`${JSON.stringify(q)} (${what}) ${fmt(median(await timed(samples, () => search(q))), 0)} ms`);
    anyLines(MANY_USERS, anyMillion);
    console.log(`    outside the set, one client, median: ${outside.join(' · ')}`);
    console.log(`  (a search walks at most ${SEARCH_WALK_ROWS.toLocaleString('en')} users in the page's order before it asks the trigram index)`);
  } finally {
    client.close();
    floor?.stop();
    await pool.end();
    await web.stop();
    await database.stop();
  }
}
