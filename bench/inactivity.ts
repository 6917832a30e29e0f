/**
 * `npm run bench -- inactivity`: 1,000,000 users over 100 tenants, 10 % stale. The sweep (with
 * its audit rows, sessions, keys and emails) next to a raw set-based UPDATE of the same rows,
 * each on a fresh copy of the same data, in the same run.
 */
import pg from 'pg';
import { runInactivitySweep } from '../server/domain/users/inactivity';
import { createJobSender } from '../server/jobs/index';
import { createDb } from '../db/index';
import { benchDatabase, fmt } from './harness';

const TENANTS = 100;
const USERS_PER_TENANT = 10_000;

async function seed(pool: pg.Pool) {
  const stale = new Date(Date.now() - 400 * 86_400_000);
  const fresh = new Date();
  await pool.query('delete from audit_events; delete from sessions; delete from users; delete from roles; delete from tenants;');
  for (let t = 0; t < TENANTS; t++) {
    const { rows: [tenant] } = await pool.query(`insert into tenants (slug, name, inactivity_days) values ($1, $1, 90) returning id`, [`bench-${t}`]);
    const { rows: [role] } = await pool.query(`insert into roles (tenant_id, key, name, audience) values ($1, 'member', 'Member', 'internal') returning id`, [tenant.id]);
    const { rows: [admin] } = await pool.query(`insert into roles (tenant_id, key, name, audience, permissions) values ($1, 'admin', 'Admin', 'internal', '{users.manage}') returning id`, [tenant.id]);
    await pool.query(`insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status) values ($1, 'standard', 'admin@t.test', 'A', 'A', 'Admin', $2, 'active')`, [tenant.id, admin.id]);
    await pool.query(
      `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, created_at, last_activity_at)
       select $1, 'standard', 'u' || i || '@t.test', 'U', 'U', 'U ' || i, $2, 'active', $3::timestamptz, case when i % 10 = 0 then $3::timestamptz else $4::timestamptz end
       from generate_series(1, ${USERS_PER_TENANT}) i`,
      [tenant.id, role.id, stale, fresh],
    );
  }
  await pool.query('vacuum analyze users');
}

export async function benchInactivity() {
  const database = await benchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const db = createDb(database.url, { max: 2 });
  try {
    console.log(`seeding ${(TENANTS * USERS_PER_TENANT).toLocaleString('en')} users…`);
    await seed(pool);
    let start = performance.now();
    await pool.query(
      `update users set status = 'deactivated', deactivated_at = now(), updated_at = now()
       where status in ('active', 'invited', 'locked') and not exempt_from_inactivity
         and coalesce(last_activity_at, created_at) < now() - interval '90 days'`,
    );
    const raw = performance.now() - start;

    await seed(pool);
    start = performance.now();
    const totals = await runInactivitySweep({ db, jobs: createJobSender(), now: new Date() });
    const sweep = performance.now() - start;
    const { rows } = await pool.query(`select count(*)::int as n from audit_events where action = 'user.status_changed'`);
    console.log(`\ninactivity benchmark (${(TENANTS * USERS_PER_TENANT).toLocaleString('en')} users, ${TENANTS} tenants, 10% stale)`);
    console.log(`  sweep      ${fmt(sweep)} ms (${totals.deactivated.toLocaleString('en')} deactivated, ${rows[0].n.toLocaleString('en')} audit rows, ${TENANTS} summary jobs)`);
    console.log(`  raw UPDATE ${fmt(raw)} ms   ratio ${fmt(sweep / raw, 2)}× (target ≤ 1.5×)`);
  } finally {
    await db.destroy();
    await pool.end();
    await database.stop();
  }
}
