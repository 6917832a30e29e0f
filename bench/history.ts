/**
 * `npm run bench -- history`: one tenant with 100,000 users and 1,000,000 holding changes over two
 * years. seats.history by day for a year and seats.holders at an instant a year ago, each as the
 * app runs it (the domain function in a read-only tenant transaction, as the web role, through
 * knex) next to the one statement it needs on a plain node-pg connection, in the same run.
 */
import pg from 'pg';
import { createDb, WEB_ROLE, withTenant } from '../db/index';
import { seatHistoryInput, seatHoldersInput } from '../server/contract/seat-history';
import { seatHistory, seatHolders } from '../server/domain/seats/history';
import { benchDatabase, fmt, median } from './harness';

const USERS = 100_000;
/** Users get 9, 10 or 11 changes in turn: 1,000,000 rows, two users in three holding a seat at the end. */
const CHANGES = USERS * 10;
const LEDGER_ROWS = 50;
const DAY = 86_400_000;
const SAMPLES = 40;
const BLOCK = 10;
const WARM_UP = 10;

async function seed(pool: pg.Pool) {
  const { rows: [tenant] } = await pool.query(`insert into tenants (slug, name) values ('bench', 'Bench') returning id`);
  const tenantId: string = tenant.id;
  const { rows: roles } = await pool.query(
    `insert into roles (tenant_id, key, name, audience) values ($1, 'member', 'Member', 'internal'), ($1, 'client', 'Client', 'client'), ($1, 'api', 'API', 'api')
     returning id, audience`,
    [tenantId],
  );
  const role = (audience: string) => roles.find((r) => r.audience === audience)!.id;
  // Mostly standard users; one in ten a client, one in twenty-five an API user.
  await pool.query(
    `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, created_at)
     select $1, k.kind, 'user' || i || '@bench.test', 'First' || i, 'Last' || (i % 997), 'First' || i || ' Last' || (i % 997),
            case k.kind when 'client' then $3 when 'api' then $4 else $2 end::uuid, 'active', now() - interval '730 days'
     from generate_series(1, ${USERS}) i,
          lateral (select case when i % 10 = 0 then 'client' when i % 25 = 1 then 'api' else 'standard' end::seat_type as kind) k`,
    [tenantId, role('internal'), role('client'), role('api')],
  );
  // Each user's changes at random instants of the last two years, alternating from holds = true;
  // appended in time order, as the ledger is written.
  await pool.query(
    `insert into seat_holding_changes (tenant_id, user_id, seat_type, holds, actor_type, actor_label, reason, created_at)
     select $1, user_id, kind, n % 2 = 1, 'system', 'bench', case when n % 2 = 1 then 'status active' else 'status deactivated' end, at
     from (
       select user_id, kind, at, row_number() over (partition by user_id order by at) as n
       from (
         select u.id as user_id, u.kind, now() - random() * interval '730 days' as at
         from (select id, kind, row_number() over (order by id) as i from users where tenant_id = $1) u,
              generate_series(1, 9 + (u.i % 3)::int)
       ) c
     ) c
     order by at`,
    [tenantId],
  );
  // Purchases and cancellations per seat type, each starting from where the previous one left off.
  const figures = { standard: 80_000, client: 8_000, api: 3_000 };
  const ledger = Array.from({ length: LEDGER_ROWS }, (_, i) => ({ type: (['standard', 'client', 'api'] as const)[i % 3], at: Date.now() - Math.random() * 730 * DAY })).sort((a, b) => a.at - b.at);
  const rows = ledger.map(({ type, at }, i) => {
    const before = figures[type];
    const after = Math.max(0, before + (i % 4 === 3 ? -1 : 1) * Math.ceil(before * 0.05));
    figures[type] = after;
    return { type, at: new Date(at).toISOString(), before, after, reason: after > before ? 'purchase' : 'cancellation' };
  });
  await pool.query(
    `insert into seat_ledger (tenant_id, seat_type, purchased_before, purchased_after, reason, created_at)
     select $1, t::seat_type, b, a, r, c::timestamptz from unnest($2::text[], $3::int[], $4::int[], $5::text[], $6::text[]) as x(t, b, a, r, c)`,
    [tenantId, rows.map((r) => r.type), rows.map((r) => r.before), rows.map((r) => r.after), rows.map((r) => r.reason), rows.map((r) => r.at)],
  );
  await pool.query(`insert into seat_pools (tenant_id, seat_type, included) select $1, t::seat_type, n from unnest($2::text[], $3::int[]) as x(t, n)`, [
    tenantId,
    Object.keys(figures),
    Object.values(figures),
  ]);
  await pool.query('vacuum analyze');
  return tenantId;
}

/**
 * The very statements of server/domain/seats/history.ts, knex's named bindings made positional:
 * history $1 tenant, $2 from, $3 to, $4 unit, $5 step; holders $1 tenant, $2 seat type, $3 at.
 */
const RAW_HISTORY = `with bounds as (
       select date_trunc($4, cast($2 as timestamptz), 'UTC') + cast($5 as interval) as first_end,
              cast($3 as timestamptz) as last_at
     ),
     points as (
       select distinct least(p, b.last_at) as at
       from bounds b, generate_series(b.first_end, date_trunc($4, b.last_at, 'UTC') + cast($5 as interval), cast($5 as interval)) p
     ),
     types as (select unnest(enum_range(null::seat_type)) as seat_type),
     changes as (
       -- Everything before the first point is its starting figure: one sum, no per-row arithmetic.
       select h.seat_type, least(b.first_end, b.last_at) as at, sum(case when h.holds then 1 else -1 end) as delta
       from seat_holding_changes h, bounds b
       where h.tenant_id = $1 and h.created_at < b.first_end and h.created_at <= b.last_at
       group by 1, 2
       union all
       -- Within the range, each change counts from the end of its interval. (date_trunc on a
       -- timestamp is about half the cost of date_trunc with a time zone, per row.)
       select h.seat_type,
              least((date_trunc($4, h.created_at at time zone 'UTC') at time zone 'UTC') + cast($5 as interval), b.last_at) as at,
              sum(case when h.holds then 1 else -1 end) as delta
       from seat_holding_changes h, bounds b
       where h.tenant_id = $1 and h.created_at >= b.first_end and h.created_at <= b.last_at
       group by 1, 2
     )
     select t.seat_type as "seatType", p.at,
            cast(sum(coalesce(c.delta, 0)) over (partition by t.seat_type order by p.at) as int) as used,
            coalesce(
              (select l.purchased_after from seat_ledger l
                where l.tenant_id = $1 and l.seat_type = t.seat_type and l.created_at <= p.at
                order by l.created_at desc, l.id desc limit 1),
              (select l.purchased_before from seat_ledger l
                where l.tenant_id = $1 and l.seat_type = t.seat_type and l.created_at > p.at
                order by l.created_at, l.id limit 1),
              (select s.purchased from seat_pools s where s.tenant_id = $1 and s.seat_type = t.seat_type),
              0
            ) as purchased
     from types t cross join points p
     left join changes c on c.seat_type = t.seat_type and c.at = p.at
     order by t.seat_type, p.at`;

const RAW_HOLDERS = `select u.id, u.email, u.display_name as "displayName", h.created_at as since
     from (
       select distinct on (user_id) user_id, holds, created_at
       from seat_holding_changes
       where tenant_id = $1 and seat_type = $2 and created_at <= $3
       order by user_id, created_at desc, id desc
     ) h
     join users u on u.id = h.user_id
     where h.holds
     order by lower(u.display_name), u.id`;

type Timings = { median: number; p95: number };

/** Warm-up, then alternating blocks (BLOCK of a, BLOCK of b, …) so both sides see the same moments of the run. */
async function timeInBlocks<K extends string>(operations: Record<K, () => Promise<unknown>>) {
  const entries = Object.entries(operations) as [K, () => Promise<unknown>][];
  for (const [, fn] of entries) for (let i = 0; i < WARM_UP; i++) await fn();
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < Math.ceil(SAMPLES / BLOCK); round++) {
    for (const [name, fn] of entries) {
      for (let i = 0; i < BLOCK; i++) {
        const start = performance.now();
        await fn();
        samples[name].push(performance.now() - start);
      }
    }
  }
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1];
  return Object.fromEntries(entries.map(([name]) => [name, { median: median(samples[name]), p95: p95(samples[name]) }])) as Record<K, Timings>;
}

export async function benchHistory() {
  const database = await benchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const db = createDb(database.url, { role: WEB_ROLE, max: 2 });
  const raw = new pg.Client(database.url);
  try {
    console.log(`seeding ${USERS.toLocaleString('en')} users and ${CHANGES.toLocaleString('en')} holding changes…`);
    const start = performance.now();
    const tenantId = await seed(pool);
    const { rows: [counts] } = await pool.query(`select (select count(*) from seat_holding_changes)::int as changes, (select count(*) from seat_ledger)::int as ledger`);
    console.log(`  seeded in ${fmt((performance.now() - start) / 1000)} s (${counts.changes.toLocaleString('en')} changes, ${counts.ledger} seat ledger rows)`);

    // The raw baseline: one plain connection, as the web role with the tenant set once for the
    // session, so that row-level security filters it exactly as it filters the app.
    await raw.connect();
    await raw.query(`set role ${WEB_ROLE}`);
    await raw.query(`select set_config('app.tenant_id', $1, false)`, [tenantId]);

    const now = Date.now();
    const historyInput = seatHistoryInput.parse({ from: new Date(now - 365 * DAY).toISOString(), to: new Date(now).toISOString(), interval: 'day' });
    const holdersInput = seatHoldersInput.parse({ seatType: 'standard', at: new Date(now - 365 * DAY).toISOString() });
    const historyValues = [tenantId, historyInput.from, historyInput.to, 'day', '1 day'];
    const holdersValues = [tenantId, holdersInput.seatType, holdersInput.at];

    // Both sides give the same answer, and a non-trivial one.
    const appSeries = await withTenant(db, tenantId, (trx) => seatHistory(trx, tenantId, historyInput), { readOnly: true });
    const rawSeries = await raw.query(RAW_HISTORY, historyValues);
    const appPoints = Object.values(appSeries).flat();
    if (appPoints.length !== rawSeries.rowCount || JSON.stringify(appPoints.map((p) => p.used)) !== JSON.stringify(rawSeries.rows.map((r) => r.used))) {
      throw new Error(`seats.history and its raw statement differ: ${appPoints.length} and ${rawSeries.rowCount} points`);
    }
    const appHolders = await withTenant(db, tenantId, (trx) => seatHolders(trx, tenantId, holdersInput), { readOnly: true });
    const rawHolders = await raw.query(RAW_HOLDERS, holdersValues);
    if (appHolders.length !== rawHolders.rowCount || appHolders.length === 0) throw new Error(`seats.holders found ${appHolders.length}, its raw statement ${rawHolders.rowCount}`);
    const standardNow = appSeries.standard.at(-1)!;
    const standardYearAgo = appSeries.standard[0];

    const history = await timeInBlocks({
      app: () => withTenant(db, tenantId, (trx) => seatHistory(trx, tenantId, historyInput), { readOnly: true }),
      raw: () => raw.query(RAW_HISTORY, historyValues),
    });
    const holders = await timeInBlocks({
      app: () => withTenant(db, tenantId, (trx) => seatHolders(trx, tenantId, holdersInput), { readOnly: true }),
      raw: () => raw.query(RAW_HOLDERS, holdersValues),
    });

    const line = (label: string, t: Record<'app' | 'raw', Timings>) =>
      console.log(
        `  ${label}  app median ${fmt(t.app.median, 2)} ms (p95 ${fmt(t.app.p95, 2)})   raw SQL median ${fmt(t.raw.median, 2)} ms (p95 ${fmt(t.raw.p95, 2)})   ratio ${fmt(t.app.median / t.raw.median, 2)}× (target ≤ 1.5×)`,
      );
    console.log(
      `\nhistory benchmark (${USERS.toLocaleString('en')} users, ${counts.changes.toLocaleString('en')} holding changes over two years, one tenant; medians and p95 of ${SAMPLES} in alternating blocks of ${BLOCK} after ${WARM_UP} to warm up)`,
    );
    console.log(`  app: the domain function in withTenant (read-only transaction, ${WEB_ROLE}, knex); raw: the same statement on one node-pg connection, ${WEB_ROLE} with app.tenant_id set once (RLS applies)`);
    line(`seats.history by day, one year (${appPoints.length} points; standard used ${standardYearAgo.used.toLocaleString('en')} → ${standardNow.used.toLocaleString('en')})`.padEnd(96), history);
    line(`seats.holders standard, a year ago (${appHolders.length.toLocaleString('en')} holders)`.padEnd(96), holders);
  } finally {
    await raw.end().catch(() => {});
    await db.destroy();
    await pool.end();
    await database.stop();
  }
}
