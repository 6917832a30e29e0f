/**
 * `npm run bench -- scale`: scale-out, simulated on one machine. One PostgreSQL; for 1, 2 and 3
 * web processes (each its own port, as Fly machines of the `app` group) and 2 worker processes,
 * 10 clients drive users.create and users.list round-robin across the web processes. Prints the
 * throughput per process count next to one process's, and checks what must hold whatever the
 * number of processes: a session from one process is accepted by the others, never more seat
 * holders than purchased seats (every refusal carrying the seat message), each invitation mailed
 * once, and one inactivity sweep per scheduled time with both workers ticking.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import pg from 'pg';
import { freePort } from '../db/embedded';
import { SEAT_TYPES } from '../server/contract/seats';
import { SEAT_HOLDING } from '../server/contract/statuses';
import { seatLimitMessage } from '../server/domain/seats/seat-rule';
import { deactivateInactive } from '../server/jobs/deactivate-inactive';
import { benchDatabase, cookieFrom, fmt, httpClient, queryPath } from './harness';

const PROCESS_COUNTS = [1, 2, 3];
const WORKERS = 2;
const CLIENTS = 10;
const WARM_UP_SECONDS = 2;
const DRIVE_SECONDS = 10;
/** One request in CREATE_EVERY is a users.create, the rest users.list. */
const CREATE_EVERY = 4;
/** Seats freed before each round's timed drive; it runs until at least twice as many creates were attempted. */
const FREE_SEATS = 25;
/** The sweep every 3 seconds (cron with seconds), each worker checking the schedule every second. */
const SWEEP_CRON = '*/3 * * * * *';
const SLOT_MS = 3000;
const TICK_SECONDS = 1;
/** Users of another workspace made stale before each round: the round's first sweep deactivates them. */
const STALE_PER_ROUND = 200;
const PASSWORD = 'a long bench password';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const CLOCK_TICKS = 100;

type Sweep = { worker: number; scheduledFor: string; jobId: string; deactivated: number };

/** Every process this bench started: stopped in `finally`, and killed if the bench itself dies. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `entry` (server/index.ts or worker/index.ts) in its own process, as on a Fly machine; resolves once it says it is ready. */
async function startProcess(entry: string, env: Record<string, string>, onLine?: (line: Record<string, unknown>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', onLine ? 'pipe' : 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  if (onLine) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        onLine(JSON.parse(line));
      } catch {
        console.log(line);
      }
    });
  }
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before it was ready`)));
  });
  return {
    /** CPU time (user + system) the process has used so far, in ms. */
    cpuMs: async () => {
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startWebProcess(databaseUrl: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = await startProcess('server/index.ts', { DATABASE_URL: databaseUrl, PORT: String(port), APP_URL: url, LOG_LEVEL: 'silent', SIGN_IN_RATE_LIMIT: '100000' });
  return { ...started, url, client: httpClient(url, { sockets: CLIENTS }) };
}

/** A worker whose log lines are read: which scheduled times it sent, and which sweeps it ran. */
async function startWorkerProcess(databaseUrl: string, worker: number, sweeps: Sweep[], sent: Map<string, number>) {
  return startProcess(
    'worker/index.ts',
    { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', INACTIVITY_CRON: SWEEP_CRON, SCHEDULE_TICK_SECONDS: String(TICK_SECONDS) },
    (line) => {
      if (line.msg === 'inactivity sweep done') sweeps.push({ worker, scheduledFor: String(line.scheduledFor), jobId: String(line.jobId), deactivated: Number(line.deactivated) });
      else if (line.msg === 'scheduled job sent') sent.set(new Date(String(line.scheduledFor)).toISOString(), worker);
      else if (Number(line.level) >= 40) console.error(`worker ${worker}: ${JSON.stringify(line)}`);
    },
  );
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const check = (ok: boolean, message: string) => {
  if (!ok) throw new Error(`scale bench: ${message}`);
};

export async function benchScale() {
  const database = await benchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  let ending = false;
  // pg-pool's end() does not wait for the sockets to close: PostgreSQL stopping right after may end them first.
  pool.on('error', (error) => ending || console.error(`scale bench: an idle connection of the bench failed: ${error.message}`));
  const webs: Awaited<ReturnType<typeof startWebProcess>>[] = [];
  const workers: Awaited<ReturnType<typeof startWorkerProcess>>[] = [];
  const stopAll = async () => {
    for (const web of webs) web.client.close();
    await Promise.all([...webs, ...workers].map((p) => p.stop()));
    webs.length = 0;
    workers.length = 0;
  };
  const sweeps: Sweep[] = [];
  const sent = new Map<string, number>();
  const results: { n: number; create: number; list: number; seated: number; refused: number; connections: number; slots: number; cpuPerRequest: number }[] = [];
  let sequence = 0;
  try {
    // The first web process and both workers; each round adds a web process.
    const { rows: [stale] } = await pool.query(`insert into tenants (slug, name, inactivity_days) values ('bench-stale', 'Stale', 90) returning id`);
    const { rows: [staleRole] } = await pool.query(`insert into roles (tenant_id, key, name, audience) values ($1, 'member', 'Member', 'internal') returning id`, [stale.id]);
    const addStaleUsers = (round: number) =>
      pool.query(
        `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, created_at, last_activity_at)
         select $1, 'standard', 'stale' || $3::int || '-' || i || '@bench.test', 'S', 'S', 'Stale ' || i, $2, 'active', now() - interval '400 days', now() - interval '400 days'
         from generate_series(1, ${STALE_PER_ROUND}) i`,
        [stale.id, staleRole.id, round],
      );
    await addStaleUsers(1);
    let t0 = performance.now();
    const since = () => `${fmt((performance.now() - t0) / 1000)} s`;
    console.log(`1 web process and ${WORKERS} workers…`);
    const startedAt = Date.now();
    const [first, ...started] = await Promise.all([startWebProcess(database.url), ...Array.from({ length: WORKERS }, (_, w) => startWorkerProcess(database.url, w + 1, sweeps, sent))]);
    webs.push(first as Awaited<ReturnType<typeof startWebProcess>>);
    workers.push(...started);
    // The workspace driven (the other one only has stale users for the sweeps to deactivate).
    const signup = await webs[0].client.post('/trpc/auth.signup', { companyName: 'Scale', slug: 'bench-scale', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: PASSWORD });
    check(signup.status === 200, `sign-up answered ${signup.status}: ${JSON.stringify(signup.body)}`);
    const tenantId: string = signup.body.result.data.tenant.id;

    const seatHolders = async () => {
      const { rows } = await pool.query<{ seat_type: string; purchased: number; holders: number }>(
        `select p.seat_type::text, p.purchased,
                (select count(*)::int from users u where u.tenant_id = p.tenant_id and u.kind = p.seat_type and not u.is_system and u.status = any($2::user_status[])) as holders
         from seat_pools p where p.tenant_id = $1`,
        [tenantId, SEAT_HOLDING],
      );
      return rows;
    };
    /** Purchased = seat holders now + `free` (through `included`: purchased is derived from it). */
    const setFreeSeats = async (free: number) => {
      const holders = (await seatHolders()).find((r) => r.seat_type === 'standard')!.holders;
      const { rows } = await pool.query(`update seat_pools set included = $2 - subscribed where tenant_id = $1 and seat_type = 'standard' returning purchased`, [tenantId, holders + free]);
      return rows[0].purchased as number;
    };

    for (const [index, n] of PROCESS_COUNTS.entries()) {
      const round = index + 1;
      const sweepsBefore = sweeps.length;
      const roundStartedAt = Date.now();
      if (n > 1) {
        t0 = performance.now();
        console.log(`${n} web processes and ${WORKERS} workers…`);
        await addStaleUsers(round);
        webs.push(await startWebProcess(database.url));
      }
      console.log(`  started in ${since()}`);

      // Sessions live in PostgreSQL: signed in on the last process, accepted by every one.
      const login = await webs[n - 1].client.post('/trpc/auth.login', { workspace: 'bench-scale', email: 'owner@bench.test', password: PASSWORD });
      check(login.status === 200, `auth.login answered ${login.status}`);
      const cookie = cookieFrom(login);
      for (const [i, web] of webs.entries()) {
        const me = await web.client.get('/trpc/auth.me', { cookie });
        check(me.status === 200 && me.body.result.data.user.id === login.body.result.data.user.id, `process ${i + 1} did not accept the session made on process ${n}: ${me.status} ${JSON.stringify(me.body)}`);
      }

      const listPath = queryPath('users.list', { limit: 20 });
      const drive = async (seconds: number, purchased: number, minCreates = 0) => {
        const message = seatLimitMessage('standard', purchased, 'create');
        const counts = { create: 0, seated: 0, refused: 0, list: 0 };
        let op = 0;
        let creates = 0;
        let lists = 0;
        const start = performance.now();
        const end = start + seconds * 1000;
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            while (performance.now() < end || counts.create < minCreates) {
              if (op++ % CREATE_EVERY === 0) {
                const web = webs[creates++ % n];
                const email = `scale-${++sequence}@bench.test`;
                const response = await web.client.post('/trpc/users.create', { kind: 'standard', email, firstName: 'Scale', lastName: String(sequence) }, { cookie });
                counts.create += 1;
                if (response.status === 200) counts.seated += 1;
                else {
                  check(response.status === 403 && response.body?.error?.message === message && response.body.error.data?.reason === 'SEAT_LIMIT', `users.create answered ${response.status} ${JSON.stringify(response.body)}; expected 403 "${message}"`);
                  counts.refused += 1;
                }
              } else {
                const response = await webs[lists++ % n].client.get(listPath, { cookie });
                check(response.status === 200, `users.list answered ${response.status}`);
                counts.list += 1;
              }
            }
          }),
        );
        return { ...counts, seconds: (performance.now() - start) / 1000 };
      };

      // Warm up with no free seat (every create refused), then time with FREE_SEATS free.
      await drive(WARM_UP_SECONDS, await setFreeSeats(0));
      const purchased = await setFreeSeats(FREE_SEATS);
      const webCpu = async () => (await Promise.all(webs.map((w) => w.cpuMs()))).reduce((a, b) => a + b, 0);
      const cpuBefore = await webCpu();
      const timed = await drive(DRIVE_SECONDS, purchased, 2 * FREE_SEATS);
      const cpuPerRequest = (await webCpu() - cpuBefore) / (timed.create + timed.list);
      console.log(`  warmed up and driven by ${since()}`);
      const { rows: [{ connections }] } = await pool.query(`select count(*)::int as connections from pg_stat_activity where datname = current_database()`);

      // The seat invariant, from the database: never more holders than purchased, of any type.
      const pools = await seatHolders();
      check(pools.length === SEAT_TYPES.length, `expected ${SEAT_TYPES.length} seat pools, found ${pools.length}`);
      for (const p of pools) check(p.holders <= p.purchased, `${p.holders} ${p.seat_type} seat holders for ${p.purchased} purchased seats`);
      // …and no seat refused while one was free: exactly the free seats were taken.
      check(timed.create >= 2 * FREE_SEATS, `only ${timed.create} creates for ${FREE_SEATS} free seats: the seat rule was not exercised`);
      check(timed.seated === FREE_SEATS, `${timed.seated} users created for ${FREE_SEATS} free seats`);
      check(pools.find((p) => p.seat_type === 'standard')!.holders === purchased, 'standard seat holders differ from purchased after the round');

      // Each invitation mailed once by one of the two workers.
      const mailed = async () => (await pool.query(`select count(*)::int as n, count(distinct "to")::int as distinct from dev_mail where "to" like 'scale-%@bench.test'`)).rows[0];
      const created = results.reduce((sum, r) => sum + r.seated, 0) + timed.seated;
      await waitFor('the invitations', async () => (await mailed()).n >= created);
      const mail = await mailed();
      check(mail.n === created && mail.distinct === created, `${mail.n} invitations (${mail.distinct} addresses) for ${created} users created`);

      // A few scheduled times go by with both workers ticking; this round's stale users are swept.
      const slotsOfRound = () => new Set(sweeps.slice(sweepsBefore).map((s) => s.scheduledFor).filter((t) => new Date(t).getTime() >= roundStartedAt)).size;
      await waitFor('three scheduled sweeps', () => slotsOfRound() >= 3);
      // Every stale user deactivated once: the sweeps' own counts add up to the users made stale.
      const deactivated = () => sweeps.reduce((sum, s) => sum + s.deactivated, 0);
      await waitFor('the stale users swept', () => deactivated() >= round * STALE_PER_ROUND);
      const { rows: [{ left }] } = await pool.query(`select count(*)::int as left from users where tenant_id = $1 and status = 'active'`, [stale.id]);
      check(left === 0 && deactivated() === round * STALE_PER_ROUND, `the sweeps deactivated ${deactivated()} users of ${round * STALE_PER_ROUND} made stale; ${left} still active`);
      console.log(`  mailed and swept by ${since()}`);
      const times = slotsOfRound();
      results.push({ n, create: timed.create / timed.seconds, list: timed.list / timed.seconds, seated: timed.seated, refused: timed.refused, connections, slots: times, cpuPerRequest });
    }

    // The workers keep running to the end: stop everything, so that no sweep is in flight.
    await stopAll();
    // One sweep per scheduled time, over the whole run: from the workers' own logs, and pg-boss's rows.
    const perSlot = new Map<string, Sweep[]>();
    for (const s of sweeps) perSlot.set(s.scheduledFor, [...(perSlot.get(s.scheduledFor) ?? []), s]);
    const doubled = [...perSlot].filter(([, runs]) => runs.length > 1);
    check(doubled.length === 0, `scheduled times swept more than once: ${doubled.map(([slot, runs]) => `${slot} by workers ${runs.map((r) => r.worker).join(', ')}`).join('; ')}`);
    const { rows: jobs } = await pool.query<{ slot: string; n: number; retries: number }>(
      `select data->>'scheduledFor' as slot, count(*)::int as n, sum(retry_count)::int as retries
       from (select data, retry_count from pgboss.job where name = $1 and state = 'completed' union all select data, retry_count from pgboss.archive where name = $1 and state = 'completed') j
       group by 1`,
      [deactivateInactive.name],
    );
    check(jobs.length === perSlot.size && jobs.every((j) => j.n === 1 && j.retries === 0 && perSlot.has(j.slot)), `pg-boss completed ${jobs.length} sweep jobs for ${perSlot.size} sweeps logged`);
    // None skipped while the workers ran: every scheduled time from the first to the last was swept.
    const times = [...perSlot.keys()].map((t) => new Date(t).getTime()).filter((t) => t >= startedAt).sort((a, b) => a - b);
    check(times.length >= 3 && times.length === (times[times.length - 1] - times[0]) / SLOT_MS + 1, `a scheduled time was skipped: ${times.map((t) => new Date(t).toISOString()).join(', ')}`);
    const { rows: [mail] } = await pool.query(`select count(*)::int as n, count(distinct "to")::int as distinct from dev_mail where "to" like 'scale-%@bench.test'`);
    check(mail.n === mail.distinct, `${mail.n} invitations for ${mail.distinct} addresses`);
    const ranBy = (w: number) => sweeps.filter((s) => s.worker === w).length;
    const sentBy = (w: number) => [...sent.values()].filter((s) => s === w).length;

    const base = results[0];
    console.log(`\nscale-out benchmark, simulated (one PostgreSQL, ${WORKERS} workers; ${CLIENTS} clients round-robin across the web processes for ${DRIVE_SECONDS} s (longer if fewer than ${2 * FREE_SEATS} creates) after ${WARM_UP_SECONDS} s to warm up; 1 request in ${CREATE_EVERY} users.create, the rest users.list)`);
    for (const r of results) {
      const total = r.create + r.list;
      console.log(
        `  ${r.n} web process${r.n > 1 ? 'es' : '  '}  users.create ${fmt(r.create)} /s (${r.seated} seated, ${r.refused} refused)  users.list ${fmt(r.list)} /s  ` +
          `all ${fmt(total)} /s = ${fmt(total / (base.create + base.list), 2)}× 1 process (reference; target: no loss, ≈1× on 2 cores)  ` +
          `web CPU ${fmt(r.cpuPerRequest, 2)} ms/request (${fmt(r.cpuPerRequest / base.cpuPerRequest, 2)}×)  ${r.connections} PostgreSQL connections  ${r.slots} sweeps`,
      );
    }
    console.log(`  checks held: a session made on one process accepted by all; seat holders ≤ purchased for every seat type after each round, exactly ${FREE_SEATS} of the attempts seated, every other refused with the seat message; each invitation mailed once`);
    console.log(`  inactivity sweep (${SWEEP_CRON}, each worker checking every ${TICK_SECONDS} s): ${perSlot.size} scheduled times, each swept once (target: 1) and none skipped; sent first by worker 1 ${sentBy(1)}×, worker 2 ${sentBy(2)}×; run by worker 1 ${ranBy(1)}×, worker 2 ${ranBy(2)}×`);
    console.log('  on 2 cores the figures stay flat: more processes share the same cores; the point is that nothing depends on one process');
  } finally {
    await stopAll();
    ending = true;
    await pool.end();
    await database.stop();
  }
}
