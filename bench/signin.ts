/**
 * `npm run bench -- signin`: auth.login with 20 concurrent clients through the real express app,
 * against the async argon2id verify of the same hash with the same parameters, 20 at a time, in
 * the same process and run. Sign-in is the hash's work plus a few statements; the ratio says how
 * much of the hash rate survives them. The web app runs in this process (createApp, as the tests
 * mount it) so that its event loop can be watched: a sign-in must never block it.
 */
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { verify } from '@node-rs/argon2';
import pino from 'pino';
import { createDb, WEB_ROLE } from '../db/index';
import { hashPassword } from '../server/domain/auth/passwords';
import { createApp } from '../server/http/app';
import { createJobSender } from '../server/jobs/index';
import { parseEnv } from '../server/shared/env';
import { createStripeClient } from '../server/stripe/client';
import { benchDatabase, fmt, httpClient, WARM_UP } from './harness';

const CLIENTS = 20;
const USERS = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Each side's SECONDS come in this many alternating blocks. */
const BLOCKS = 5;
const PASSWORD = 'a long bench password';

/** Calls of `fn`, `concurrency` at a time in waves (Promise.all), until `seconds` have passed. */
async function rateInWaves(seconds: number, concurrency: number, fn: () => Promise<unknown>) {
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    await Promise.all(Array.from({ length: concurrency }, fn));
    done += concurrency;
  }
  return done / ((performance.now() - start) / 1000);
}

/** Calls of `fn` from `clients` loops, each starting its next call when its last one answered. */
async function rateInLoops(seconds: number, clients: number, fn: (client: number, i: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) await fn(client, next++);
    }),
  );
  return next / ((performance.now() - start) / 1000);
}

export async function benchSignIn() {
  const database = await benchDatabase();
  // Each client signs in from its own address (X-Forwarded-For behind a trusted proxy), as 20
  // people would; the per-address limit is raised past what one client does in a run.
  const env = parseEnv({ NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent', SIGN_IN_RATE_LIMIT: '1000000', TRUST_PROXY: 'true' });
  const db = createDb(env.DATABASE_URL, { role: WEB_ROLE, max: env.WEB_POOL_SIZE });
  const ownerDb = createDb(env.DATABASE_URL, { max: 10 });
  const app = createApp({ env, db, ownerDb, jobs: createJobSender(), stripe: createStripeClient(env), log: pino({ level: 'silent' }), now: () => new Date() });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const client = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { sockets: CLIENTS });
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench-signin', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: PASSWORD });
    if (signup.status !== 200) throw new Error(`auth.signup answered ${signup.status}: ${JSON.stringify(signup.body)}`);
    const { tenant, user } = signup.body.result.data;
    // One hash for every user, made once: seeding 200 users costs one argon2id hash, not 200.
    const passwordHash = await hashPassword(PASSWORD);
    await ownerDb('seat_pools').where({ tenantId: tenant.id }).update({ included: USERS + 10 });
    await ownerDb.raw(
      `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, password_hash)
       select ?, 'standard', 'user' || i || '@bench.test', 'First' || i, 'Last' || i, 'First' || i || ' Last' || i, ?, 'active', ?
       from generate_series(1, ${USERS}) i`,
      [tenant.id, user.roleId, passwordHash],
    );

    const reference = () => verify(passwordHash, PASSWORD).then((ok) => {
      if (!ok) throw new Error('the reference verify refused the password');
    });
    const signIn = async (c: number, i: number) => {
      const input = { workspace: 'bench-signin', email: `user${1 + (i % USERS)}@bench.test`, password: PASSWORD };
      const response = await client.post('/trpc/auth.login', input, { 'x-forwarded-for': `198.51.100.${1 + c}` });
      if (response.status !== 200) throw new Error(`auth.login answered ${response.status}: ${JSON.stringify(response.body)}`);
    };

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const maxDelayMs = async <T>(run: () => Promise<T>) => {
      delay.reset();
      const result = await run();
      return { result, maxMs: delay.max / 1e6 };
    };

    console.log(`warming up: ${CLIENTS * 4} verifies, ${WARM_UP} sign-ins…`);
    for (let wave = 0; wave < 4; wave++) await Promise.all(Array.from({ length: CLIENTS }, reference));
    let warm = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = warm++; i < WARM_UP; i = warm++) await signIn(c, i);
    }));

    // Alternating blocks (verify, sign-in, verify, …, verify), so that both sides see the same
    // moments of the run: on a shared 2-core machine, a neighbour's load moves both alike.
    const block = SECONDS / BLOCKS;
    const verifies: { result: number; maxMs: number }[] = [];
    const logins: { result: number; maxMs: number }[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      verifies.push(await maxDelayMs(() => rateInWaves(block, CLIENTS, reference)));
      logins.push(await maxDelayMs(() => rateInLoops(block, CLIENTS, signIn)));
    }
    verifies.push(await maxDelayMs(() => rateInWaves(block, CLIENTS, reference)));
    delay.disable();
    const mean = (runs: { result: number }[]) => runs.reduce((sum, r) => sum + r.result, 0) / runs.length;
    const maxOf = (runs: { maxMs: number }[]) => Math.max(...runs.map((r) => r.maxMs));
    const referenceRate = mean(verifies);
    const signIns = { result: mean(logins), maxMs: maxOf(logins) };
    const before = verifies[0];
    const after = verifies[verifies.length - 1];
    const ratio = signIns.result / referenceRate;

    console.log(`\nsign-in benchmark (${CLIENTS} concurrent clients, ${USERS} users in one workspace, ${SECONDS} s each in ${BLOCKS} alternating blocks; argon2id m=19 MiB, t=2, p=1; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'})`);
    console.log(`  auth.login            ${fmt(signIns.result)} /s   argon2id verify ${fmt(referenceRate)} /s (first block ${fmt(before.result)}, last ${fmt(after.result)}; blocks ${verifies.map((v) => fmt(v.result, 0)).join('/')} vs sign-ins ${logins.map((l) => fmt(l.result, 0)).join('/')})   ratio ${fmt(ratio, 2)}× (target ≥ 0.85×)`);
    console.log(`  event-loop delay max  ${fmt(signIns.maxMs)} ms during sign-ins (target ≤ 50 ms); ${fmt(maxOf(verifies))} ms during the bare verifies`);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled([db.destroy(), ownerDb.destroy()]);
    await database.stop();
  }
}
