/**
 * `npm run bench -- apikey`: throughput of users.get authenticated by an API key through the
 * real web process, next to a raw node-pg baseline (key lookup + row fetch) and to the stack's
 * floors (floor-server.ts; the knex-as-a-request one is issue #20's reference) in the same run.
 */
import pg from 'pg';
import { hashApiKey } from '../server/domain/api-keys/key-format';
import type { FloorStatement } from './floor-server';
import { benchDatabase, fmt, httpClient, queryPath, cookieFrom, startFloorServer, startWeb, throughput, WARM_UP } from './harness';

const CLIENTS = 10;
const REQUESTS = 3000;

export async function benchApiKeys() {
  const database = await benchDatabase();
  const web = await startWeb(database.url, { API_KEY_RATE_LIMIT: '1000000' });
  const pool = new pg.Pool({ connectionString: database.url, max: CLIENTS });
  const client = httpClient(web.url, { sockets: CLIENTS });
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench-keys', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' });
    const { tenant, user } = signup.body.result.data;
    const cookie = cookieFrom(signup);
    await pool.query(`update seat_pools set included = 10 where tenant_id = $1`, [tenant.id]);
    const post = async (path: string, body: unknown) => (await client.post(`/trpc/${path}`, body, { cookie })).body.result.data;
    const bot = await post('users.create', { kind: 'api', email: 'bot@bench.test', firstName: 'Bench', lastName: 'Bot' });
    const { key } = await post('apiKeys.create', { userId: bot.id, name: 'bench' });
    const getPath = queryPath('users.get', { id: user.id });

    const viaApi = async () => {
      const response = await client.get(getPath, { authorization: `Bearer ${key}` });
      if (response.status !== 200) throw new Error(`users.get answered ${response.status}`);
    };
    // The raw baseline: find the key, then the row, on a warm node-pg pool.
    const keyLookup: FloorStatement = {
      text: `select k.tenant_id, k.user_id from api_keys k join users u on u.id = k.user_id
         where k.key_hash = $1 and k.revoked_at is null and u.status = 'active'`,
      values: [hashApiKey(key)],
      rows: 1,
    };
    const userRow: FloorStatement = { text: `select * from users where tenant_id = $1 and id = $2`, values: [tenant.id, user.id], rows: 1 };
    const raw = async () => {
      const found = await pool.query(keyLookup.text, keyLookup.values);
      await pool.query(userRow.text, [found.rows[0].tenant_id, user.id]);
    };
    const answer = (await client.get(getPath, { authorization: `Bearer ${key}` })).body.result.data;
    floor = await startFloorServer(
      { answer, database: { url: database.url, opening: { tenantId: tenant.id }, statements: [keyLookup, userRow] } },
      { sockets: CLIENTS },
    );
    const input = { id: user.id };
    const measure = async (fn: () => Promise<unknown>) => {
      await throughput(WARM_UP, CLIENTS, fn);
      return throughput(REQUESTS, CLIENTS, fn);
    };
    const app = await measure(viaApi);
    const rawRate = await measure(raw);
    const floors = {
      bare: await measure(floor.query('answer', input)),
      statements: await measure(floor.query('statements', input)),
      request: await measure(floor.query('request', input)),
      knex: await measure(floor.query('knexRequest', input)),
    };
    const vsRaw = (rate: number) => `${fmt(rate)} /s (${fmt(rate / rawRate, 2)}× raw)`;
    console.log(`\nAPI key benchmark (${CLIENTS} concurrent clients, ${REQUESTS} requests in all after ${WARM_UP} to warm up)`);
    console.log(`  users.get by API key   ${fmt(app)} /s   raw SQL ${fmt(rawRate)} /s   ratio ${fmt(app / rawRate, 2)}× (target ≥ 0.5×)`);
    // Issue #20: the key's hit, look-up and tenant travel with BEGIN, as a session's do.
    console.log(`    against the knex-as-a-request floor ${fmt(floors.knex)} /s   ratio ${fmt(app / floors.knex, 2)}× (target ≥ 0.75×)`);
    console.log(`    the stack without Seatwise, same answer: bare ${vsRaw(floors.bare)} · + the raw statements ${vsRaw(floors.statements)}`);
    console.log(`      as a request (tenant opening, read-only transaction): node-pg ${vsRaw(floors.request)} · knex ${vsRaw(floors.knex)}`);
    console.log(`  web peak memory        ${fmt(await web.peakMemoryMb())} MB`);
  } finally {
    client.close();
    floor?.stop();
    await pool.end();
    await web.stop();
    await database.stop();
  }
}
