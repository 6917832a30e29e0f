/**
 * `npm run bench -- functions`: the two functions a request calls, session_actor() (every session
 * request's opening) and user_search_rows() (users.list with a search), each as plpgsql and as a
 * plain `language sql` function, same signature, same attributes, same query.
 *
 * Migration 20261123070000 made both plpgsql because a security-definer SQL function used to be
 * planned again on every call while plpgsql keeps its plan for the connection. PostgreSQL 18
 * caches the plans of SQL functions too; this measures whether plpgsql still earns its place.
 *
 * Both variants live side by side in the bench's scratch database and are called as the app calls
 * them (as the web role, the tenant set, the same statement text), over one connection, in
 * alternating blocks; an A/A pair (the same function measured twice) shows the run's noise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { WEB_ROLE } from '../db/index';
import { hashToken } from '../server/domain/auth/tokens';
import { benchDatabase, fmt, mediansInBlocks, WARM_UP } from './harness';

const USERS = 100_000;
const SESSIONS = 10_000;
const SESSION_CALLS = 4000;
const SEARCH_CALLS = 2000;

const SESSION_ACTOR_COLUMNS = `session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
  session_idle_minutes integer, status user_status, email text, must_change_password boolean, permissions text[]`;
const SESSION_ACTOR_QUERY = (name: string) => `select s.id, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, t.session_idle_minutes,
    u.status, u.email, u.must_change_password, r.permissions
  from sessions s
  join tenants t on t.id = s.tenant_id
  join users u on u.id = s.user_id
  join roles r on r.id = u.role_id
  where s.token_hash = ${name}.token_hash`;
const SEARCH_QUERY = `select * from users
  where tenant_id = current_tenant_id() and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like pattern`;
const ATTRIBUTES = 'stable security definer set search_path = public, pg_temp';

const variants = `
  create function bench_session_actor_plpgsql(token_hash text) returns table (${SESSION_ACTOR_COLUMNS})
    language plpgsql ${ATTRIBUTES} rows 1 as $fn$
    begin
      return query ${SESSION_ACTOR_QUERY('bench_session_actor_plpgsql')};
    end
    $fn$;
  create function bench_session_actor_sql(token_hash text) returns table (${SESSION_ACTOR_COLUMNS})
    language sql ${ATTRIBUTES} rows 1 as $fn$
      ${SESSION_ACTOR_QUERY('bench_session_actor_sql')}
    $fn$;
  create function bench_user_search_rows_plpgsql(pattern text) returns setof users
    language plpgsql ${ATTRIBUTES} rows 100 as $fn$
    begin
      return query ${SEARCH_QUERY};
    end
    $fn$;
  create function bench_user_search_rows_sql(pattern text) returns setof users
    language sql ${ATTRIBUTES} rows 100 as $fn$
      ${SEARCH_QUERY}
    $fn$;
  grant execute on function bench_session_actor_plpgsql(text), bench_session_actor_sql(text),
    bench_user_search_rows_plpgsql(text), bench_user_search_rows_sql(text) to ${WEB_ROLE};`;

async function seed(pool: pg.Pool) {
  const { rows: [tenant] } = await pool.query(`insert into tenants (slug, name) values ('bench-functions', 'Bench') returning id`);
  const { rows: [role] } = await pool.query(
    `insert into roles (tenant_id, key, name, audience, permissions) values ($1, 'member', 'Member', 'internal', '{users.read,users.manage}') returning id`,
    [tenant.id],
  );
  await pool.query(
    `insert into users (tenant_id, kind, email, user_name, first_name, last_name, display_name, role_id, status, created_at)
     select $1, 'standard', 'user' || i || '@bench.test', 'handle' || i, 'First' || i, 'Last' || (i % 997), 'First' || i || ' Last' || (i % 997),
            $2, (array['active','active','active','deactivated','invited'])[1 + i % 5]::user_status, now() - i * interval '1 minute'
     from generate_series(1, ${USERS}) i`,
    [tenant.id, role.id],
  );
  const tokens = Array.from({ length: SESSIONS }, () => randomBytes(32).toString('base64url'));
  await pool.query(
    `insert into sessions (tenant_id, user_id, token_hash, expires_at)
     select $1, u.id, h.hash, now() + interval '1 day'
     from unnest($2::text[]) with ordinality h(hash, n)
     join (select id, row_number() over (order by id) n from users where tenant_id = $1) u using (n)`,
    [tenant.id, tokens.map(hashToken)],
  );
  await pool.query('vacuum analyze');
  return { tenantId: tenant.id as string, tokenHashes: tokens.map(hashToken) };
}

export async function benchRequestFunctions() {
  const database = await benchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const web = new pg.Client(database.url);
  try {
    console.log(`seeding ${USERS.toLocaleString('en')} users and ${SESSIONS.toLocaleString('en')} sessions…`);
    const { tenantId, tokenHashes } = await seed(pool);
    await pool.query(variants);
    const { rows: [{ version }] } = await pool.query(`select current_setting('server_version') as version`);

    // One connection, as the web role with the tenant set for the session.
    await web.connect();
    await web.query(`set role ${WEB_ROLE}`);
    await web.query(`select set_config('app.tenant_id', $1, false)`, [tenantId]);

    // session_actor(): the opening's statement, simple protocol, a different live token each call.
    let next = 0;
    const sessionCall = (fn: string) => async () => {
      const hash = tokenHashes[next++ % tokenHashes.length];
      const { rows } = await web.query(`select set_config('app.tenant_id', a.tenant_id::text, true) as tenant, a.* from ${fn}('${hash}') a`);
      if (rows.length !== 1) throw new Error(`${fn} found ${rows.length} sessions`);
    };
    // user_search_rows(): the statement users.list sends, extended protocol with the pattern bound.
    const searchCall = (fn: string) => async () => {
      const { rowCount } = await web.query(
        `select *, lower(display_name) as sort_key from ${fn}($1) as users where is_system = false order by lower(display_name) asc, id asc limit 51`,
        ['%rst4242%'],
      );
      if (rowCount !== 11) throw new Error(`${fn} found ${rowCount} users`);
    };

    const session = await mediansInBlocks(SESSION_CALLS, {
      plpgsql: sessionCall('bench_session_actor_plpgsql'),
      sql: sessionCall('bench_session_actor_sql'),
      plpgsqlAgain: sessionCall('bench_session_actor_plpgsql'),
    });
    const search = await mediansInBlocks(SEARCH_CALLS, {
      plpgsql: searchCall('bench_user_search_rows_plpgsql'),
      sql: searchCall('bench_user_search_rows_sql'),
      plpgsqlAgain: searchCall('bench_user_search_rows_plpgsql'),
    });

    const line = (label: string, m: typeof session) =>
      console.log(
        `  ${label}  plpgsql ${fmt(m.plpgsql * 1000, 0)} µs   sql ${fmt(m.sql * 1000, 0)} µs   ratio sql/plpgsql ${fmt(m.sql / m.plpgsql, 3)}×` +
          `   (noise, plpgsql/plpgsql again: ${fmt(m.plpgsqlAgain / m.plpgsql, 3)}×)`,
      );
    console.log(
      `\nrequest functions on PostgreSQL ${version} (median per call over one connection; ${SESSION_CALLS} / ${SEARCH_CALLS} calls per variant in alternating blocks after ${WARM_UP} to warm up)`,
    );
    line('session_actor()    ', session);
    line('user_search_rows() ', search);
  } finally {
    await web.end().catch(() => {});
    await pool.end();
    await database.stop();
  }
}
