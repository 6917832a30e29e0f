/**
 * `npm run bench -- pages`: the users page (/users) and a user's page (/users/<id>) served as
 * HTML by the real web process, each next to a single users.list request (the page's own query,
 * over tRPC) in the same run; and the same pages from a second web process whose page loads give
 * each query its own transaction (PAGE_TRANSACTION=per-call), to show what sharing one saves.
 */
import pg from 'pg';
import { listUsersInput } from '../server/contract/users';
import { benchDatabase, cookieFrom, fmt, httpClient, mediansInBlocks, queryPath, startWeb, throughput, WARM_UP } from './harness';

const USERS = 10_000;
const CLIENTS = 10;
const SAMPLES = 100;
const REQUESTS = 300;
/** The throughput runs come after the medians' warm-up: a short one each. */
const RATE_WARM_UP = 50;

export async function benchPages() {
  const database = await benchDatabase();
  const shared = await startWeb(database.url, {}, { reactProduction: true });
  const perCall = await startWeb(database.url, { PAGE_TRANSACTION: 'per-call' }, { reactProduction: true });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const client = httpClient(shared.url, { sockets: CLIENTS });
  const perCallClient = httpClient(perCall.url, { sockets: CLIENTS });
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench-pages', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' });
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
    await pool.query('vacuum analyze users');

    // The users page's own query: its default filters, as its loader sends them.
    const listPath = queryPath('users.list', listUsersInput.parse({}));
    const list = async () => {
      const response = await client.get(listPath, { cookie });
      if (response.status !== 200 || response.body.result.data.items.length !== 50) throw new Error(`users.list answered ${response.status}`);
    };
    const page = (http: typeof client, path: string, mark: string) => async () => {
      const response = await http.get(path, { cookie });
      if (response.status !== 200 || !String(response.body).includes(mark)) throw new Error(`${path} answered ${response.status}`);
    };
    const usersPage = page(client, '/users', 'seats used');
    const userPage = page(client, `/users/${user.id}`, 'owner@bench.test');
    const usersPagePerCall = page(perCallClient, '/users', 'seats used');
    const userPagePerCall = page(perCallClient, `/users/${user.id}`, 'owner@bench.test');

    const m = await mediansInBlocks(SAMPLES, { list, usersPage, userPage, usersPagePerCall, userPagePerCall });
    const measure = async (fn: () => Promise<unknown>) => {
      await throughput(RATE_WARM_UP, CLIENTS, fn);
      return throughput(REQUESTS, CLIENTS, fn);
    };
    const rate = {
      list: await measure(list),
      usersPage: await measure(usersPage),
      userPage: await measure(userPage),
      usersPagePerCall: await measure(usersPagePerCall),
      userPagePerCall: await measure(userPagePerCall),
    };

    const line = (label: string, ms: number, perCallMs: number) =>
      console.log(`  ${label}  median ${fmt(ms, 2)} ms = ${fmt(ms / m.list, 2)}× users.list (target ≤ 1.3×)   a transaction per query: ${fmt(perCallMs, 2)} ms (${fmt(perCallMs / m.list, 2)}×)`);
    const rateLine = (label: string, shared: number, perCall: number) =>
      console.log(`  ${label}  ${fmt(shared)} /s = ${fmt(rate.list / shared, 2)}× the time of users.list   a transaction per query: ${fmt(perCall)} /s (${fmt(rate.list / perCall, 2)}×)`);
    console.log(`\npages benchmark (${USERS.toLocaleString('en')} users in one tenant; HTML through the real web process, React's production build, one transaction per page load, next to one users.list request)`);
    console.log(`  one client, medians of ${SAMPLES} in alternating blocks after ${WARM_UP} to warm up:`);
    console.log(`  users.list       median ${fmt(m.list, 2)} ms (the users page's own query over tRPC, 50 rows)`);
    line('/users         ', m.usersPage, m.usersPagePerCall);
    line('/users/<id>    ', m.userPage, m.userPagePerCall);
    console.log(`  ${CLIENTS} concurrent clients, ${REQUESTS} requests each after ${RATE_WARM_UP} to warm up: users.list ${fmt(rate.list)} /s`);
    rateLine('/users         ', rate.usersPage, rate.usersPagePerCall);
    rateLine('/users/<id>    ', rate.userPage, rate.userPagePerCall);
    console.log(`  web peak memory  ${fmt(await shared.peakMemoryMb())} MB`);
  } finally {
    client.close();
    perCallClient.close();
    await pool.end();
    await shared.stop();
    await perCall.stop();
    await database.stop();
  }
}
