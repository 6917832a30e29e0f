/**
 * `npm run bench -- scim` (issue #16): 1,000 users provisioned by SCIM POST /Users with 4
 * concurrent clients, against 1,000 created by users.create with an API key in the same run, on
 * the real web process. Both paths claim a seat under the seat lock, insert, audit and enqueue
 * an invitation; SCIM also resolves its token (and counts its hit) and reads the new user back.
 */
import { benchDatabase, cookieFrom, fmt, httpClient, startWeb, throughput } from './harness';

const CLIENTS = 4;
const USERS = 1000;
const WARM_UP = 100;

export async function benchScim() {
  const database = await benchDatabase();
  const web = await startWeb(database.url, { API_KEY_RATE_LIMIT: '1000000', SCIM_RATE_LIMIT: '1000000' });
  const client = httpClient(web.url, { sockets: CLIENTS });
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench-scim', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' });
    const cookie = cookieFrom(signup);
    const { tenant } = signup.body.result.data;
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await pool.query(`update seat_pools set included = case seat_type when 'api' then 1 else 10000 end where tenant_id = $1`, [tenant.id]);
    await pool.end();
    const post = async (path: string, body: unknown) => (await client.post(`/trpc/${path}`, body, { cookie })).body.result.data;
    const bot = await post('users.create', { kind: 'api', email: 'bot@bench.test', firstName: 'Bench', lastName: 'Bot' });
    const { key } = await post('apiKeys.create', { userId: bot.id, name: 'bench' });
    const { token } = await post('provisioning.createToken', { name: 'bench' });

    const viaApi = (prefix: string) => async (i: number) => {
      const r = await client.post('/trpc/users.create', { kind: 'standard', email: `${prefix}${i}@api.bench.test`, firstName: 'Api', lastName: `User ${i}` }, { authorization: `Bearer ${key}` });
      if (r.status !== 200) throw new Error(`users.create answered ${r.status}: ${JSON.stringify(r.body)}`);
    };
    const viaScim = (prefix: string) => async (i: number) => {
      const email = `${prefix}${i}@scim.bench.test`;
      const r = await client.post(
        '/scim/v2/Users',
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, name: { givenName: 'Scim', familyName: `User ${i}` }, emails: [{ primary: true, type: 'work', value: email }], active: true },
        { authorization: `Bearer ${token}` },
      );
      if (r.status !== 201) throw new Error(`POST /Users answered ${r.status}: ${JSON.stringify(r.body)}`);
    };
    await throughput(WARM_UP, CLIENTS, viaApi('warm'));
    await throughput(WARM_UP, CLIENTS, viaScim('warm'));
    const api = await throughput(USERS, CLIENTS, viaApi('u'));
    const scim = await throughput(USERS, CLIENTS, viaScim('u'));
    console.log(`\nSCIM provisioning benchmark (${CLIENTS} concurrent clients, ${USERS} users each after ${WARM_UP} to warm up)`);
    console.log(`  POST /scim/v2/Users     ${fmt(scim)} users/s`);
    console.log(`  users.create (API key)  ${fmt(api)} users/s`);
    console.log(`  ratio ${fmt(scim / api, 2)}× (target ≥ 0.8×)`);
    console.log(`  web peak memory         ${fmt(await web.peakMemoryMb())} MB`);
  } finally {
    client.close();
    await web.stop();
    await database.stop();
  }
}
