/**
 * `npm run bench -- apikey`: throughput of users.get authenticated by an API key through the
 * real web process, next to a raw node-pg baseline (key lookup + row fetch) in the same run.
 */
import pg from 'pg';
import { hashApiKey } from '../server/domain/api-key-format';
import { benchDatabase, fmt, startFloorServer, startWeb, throughput, WARM_UP } from './harness';

const CLIENTS = 10;
const REQUESTS = 3000;

export async function benchApiKeys() {
  const database = await benchDatabase();
  const web = await startWeb(database.url, { API_KEY_RATE_LIMIT: '1000000' });
  const pool = new pg.Pool({ connectionString: database.url, max: CLIENTS });
  const floor = await startFloorServer();
  try {
    const signup = await fetch(`${web.url}/trpc/auth.signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Bench', slug: 'bench-keys', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' }),
    });
    const { tenant, user } = (await signup.json()).result.data;
    const cookie = signup.headers.get('set-cookie')!.split(';')[0];
    await pool.query(`update seat_pools set included = 10 where tenant_id = $1`, [tenant.id]);
    const post = (path: string, body: unknown) =>
      fetch(`${web.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) }).then((r) => r.json());
    const bot = (await post('users.create', { kind: 'api', email: 'bot@bench.test', firstName: 'Bench', lastName: 'Bot' })).result.data;
    const { key } = (await post('apiKeys.create', { userId: bot.id, name: 'bench' })).result.data;
    const url = `${web.url}/trpc/users.get?input=${encodeURIComponent(JSON.stringify({ id: user.id }))}`;

    const viaApi = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
      if (response.status !== 200) throw new Error(`users.get answered ${response.status}`);
      await response.json();
    };
    const hash = hashApiKey(key);
    const raw = async () => {
      const found = await pool.query(
        `select k.tenant_id, k.user_id from api_keys k join users u on u.id = k.user_id
         where k.key_hash = $1 and k.revoked_at is null and u.status = 'active'`,
        [hash],
      );
      await pool.query(`select * from users where tenant_id = $1 and id = $2`, [found.rows[0].tenant_id, user.id]);
    };
    const floorUrl = floor.url({ id: user.id });
    const empty = () => fetch(floorUrl).then((r) => r.json());
    const measure = async (fn: () => Promise<unknown>) => {
      await throughput(WARM_UP, CLIENTS, fn);
      return throughput(REQUESTS, CLIENTS, fn);
    };
    const app = await measure(viaApi);
    const rawRate = await measure(raw);
    const floorRate = await measure(empty);
    console.log(`\nAPI key benchmark (${CLIENTS} concurrent clients, ${REQUESTS} requests each after ${WARM_UP} to warm up)`);
    console.log(`  users.get by API key   ${fmt(app)} /s   raw SQL ${fmt(rawRate)} /s   ratio ${fmt(app / rawRate, 2)}× (target ≥ 0.5×)`);
    console.log(`  stack floor            ${fmt(floorRate)} /s   (an empty tRPC procedure on express: ${fmt(floorRate / rawRate, 2)}× raw)`);
    console.log(`  web peak memory        ${fmt(await web.peakMemoryMb())} MB`);
  } finally {
    floor.stop();
    await pool.end();
    await web.stop();
    await database.stop();
  }
}
