/**
 * `npm run bench -- users`: users.list search and users.create through the real web process,
 * each next to a raw node-pg baseline doing the same database work in the same run.
 */
import pg from 'pg';
import { hashToken } from '../server/domain/auth/tokens';
import { USER_COLUMNS } from '../server/domain/users/columns';
import type { FloorStatement } from './floor-server';
import { benchDatabase, fmt, httpClient, mediansInBlocks, queryPath, cookieFrom, startFloorServer, startWeb, throughput, WARM_UP } from './harness';

const USERS = 100_000;
const CLIENTS = 10;
const SAMPLES = 200;

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
    await pool.query(
      `insert into users (tenant_id, kind, email, user_name, first_name, last_name, display_name, role_id, status, created_at)
       select $1, 'standard', 'user' || i || '@bench.test', 'handle' || i, 'First' || i, 'Last' || (i % 997), 'First' || i || ' Last' || (i % 997),
              $2, (array['active','active','active','deactivated','invited'])[1 + i % 5]::user_status, now() - i * interval '1 minute'
       from generate_series(1, ${USERS}) i`,
      [tenant.id, user.roleId],
    );
    await pool.query('analyze users');

    // Search: the procedure over HTTP, the same statement on a raw connection, and the stack's
    // floors, right after seeding (GIN's pending list still holds recent rows) and after VACUUM.
    const term = 'rst4242';
    // The very statement users.list sends (server/domain/users-read.ts), on a plain connection that
    // has the tenant set once: the same database work without HTTP, session or transaction.
    const rawSearch: FloorStatement = {
      text: `select ${USER_COLUMNS.map((c) => c.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)).join(', ')}, lower(display_name) as sort_key
        from user_search_rows($1) as users where is_system = false order by lower(display_name) asc, id asc limit 51`,
      values: [`%${term}%`],
      rows: 11,
    };
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
    await raw.end();

    // Creation under concurrency: the procedure, and the raw rule (lock the pool row, count, insert).
    const creates = 1000;
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
    };
    console.log('\nusers benchmark (%s users in one tenant; search: medians of %d in alternating blocks after %d to warm up; create: %d concurrent clients)', USERS.toLocaleString('en'), SAMPLES, WARM_UP, CLIENTS);
    searchLine('right after seeding', seeded);
    searchLine('after VACUUM       ', vacuumed);
    console.log(`  users.create        ${fmt(create)} /s        raw SQL ${fmt(rawCreate)} /s   ratio ${fmt(create / rawCreate, 2)}× (target ≥ 0.5×)`);
    console.log(`  web peak memory     ${fmt(await web.peakMemoryMb())} MB (target < 300 MB)`);
  } finally {
    client.close();
    floor?.stop();
    await pool.end();
    await web.stop();
    await database.stop();
  }
}
