/**
 * `npm run bench -- users`: users.list search and users.create through the real web process,
 * each next to a raw node-pg baseline doing the same database work in the same run.
 */
import pg from 'pg';
import { benchDatabase, fmt, median, startFloorServer, startWeb, throughput, timeEach, WARM_UP } from './harness';

const USERS = 100_000;
const CLIENTS = 10;
const SAMPLES = 200;

export async function benchUsers() {
  const database = await benchDatabase();
  const web = await startWeb(database.url);
  const pool = new pg.Pool({ connectionString: database.url, max: CLIENTS + 2 });
  const floor = await startFloorServer();
  try {
    const signup = await fetch(`${web.url}/trpc/auth.signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Bench', slug: 'bench', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' }),
    });
    const { tenant, user } = (await signup.json()).result.data;
    const cookie = signup.headers.get('set-cookie')!.split(';')[0];
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

    // Search: the procedure over HTTP, the same query on a raw connection, and the stack's floor.
    const term = 'rst4242';
    const search = () =>
      fetch(`${web.url}/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ q: term, limit: 50 }))}`, { headers: { cookie } }).then((r) => r.json());
    const rawSearch = () =>
      pool.query(
        `select * from users where tenant_id = $1 and not is_system
           and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like $2
         order by lower(display_name), id limit 51`,
        [tenant.id, `%${term}%`],
      );
    const floorUrl = floor.url({ q: term, limit: 50 });
    const empty = () => fetch(floorUrl).then((r) => r.json());
    const sample = async (fn: () => Promise<unknown>) => {
      await timeEach(WARM_UP, fn);
      return median(await timeEach(SAMPLES, fn));
    };
    const listMs = await sample(search);
    const rawListMs = await sample(rawSearch);
    const floorMs = await sample(empty);

    // Creation under concurrency: the procedure, and the raw rule (lock the pool row, count, insert).
    const creates = 1000;
    const create = await throughput(creates, CLIENTS, (i) =>
      fetch(`${web.url}/trpc/users.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ kind: 'standard', email: `new${i}@bench.test`, firstName: 'New', lastName: String(i) }),
      }).then(async (r) => {
        if (r.status !== 200) throw new Error(`users.create answered ${r.status}: ${await r.text()}`);
      }),
    );
    const rawCreate = await throughput(creates, CLIENTS, async (i) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`select purchased from seat_pools where tenant_id = $1 and seat_type = 'standard' for update`, [tenant.id]);
        await client.query(
          `select count(*) from users where tenant_id = $1 and kind = 'standard' and not is_system and status in ('invited','active','suspended','locked')`,
          [tenant.id],
        );
        await client.query(
          `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status) values ($1, 'standard', $2, 'Raw', 'Raw', 'Raw', $3, 'invited')`,
          [tenant.id, `raw${i}@bench.test`, user.roleId],
        );
        await client.query('commit');
      } finally {
        client.release();
      }
    });

    console.log('\nusers benchmark (%s users in one tenant; search: median of %d after %d to warm up; create: %d concurrent clients)', USERS.toLocaleString('en'), SAMPLES, WARM_UP, CLIENTS);
    console.log(`  users.list search   median ${fmt(listMs, 2)} ms   raw SQL ${fmt(rawListMs, 2)} ms   ratio ${fmt(listMs / rawListMs, 2)}× (target ≤ 2×)`);
    console.log(`  stack floor         median ${fmt(floorMs, 2)} ms   (an empty tRPC procedure on express: ${fmt(floorMs / rawListMs, 2)}× raw)`);
    console.log(`  users.create        ${fmt(create)} /s        raw SQL ${fmt(rawCreate)} /s   ratio ${fmt(create / rawCreate, 2)}× (target ≥ 0.5×)`);
    console.log(`  web peak memory     ${fmt(await web.peakMemoryMb())} MB (target < 300 MB)`);
  } finally {
    floor.stop();
    await pool.end();
    await web.stop();
    await database.stop();
  }
}
