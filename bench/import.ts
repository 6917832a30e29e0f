/**
 * `npm run bench -- import` (issue #15), three rounds each, in one run:
 * - 10,000 new users from a CSV: imports.start over HTTP to the committed users.import run
 *   (invitations held: emails excluded), against PostgreSQL COPY of the same rows into `users`.
 *   Target ≥ 0.8× COPY's rows per second.
 * - the export of 100,000 users streamed by the web process (/export/users.csv), against
 *   `COPY (select …) TO STDOUT` of the same columns: the web process's peak memory growth
 *   (target < 50 MB) and the rate (target ≥ 0.5×).
 */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createDb } from '../db/index';
import { runImport } from '../server/domain/imports/run';
import { createJobSender } from '../server/jobs/index';
import { benchDatabase, cookieFrom, fmt, httpClient, median, startWeb } from './harness';

const IMPORT_ROWS = 10_000;
const EXPORT_USERS = 100_000;
const ROUNDS = 3;

const csvOf = (prefix: string) =>
  ['Email,First name,Last name,Display name,Time zone,Locale', ...Array.from({ length: IMPORT_ROWS }, (_, i) => `${prefix}${i}@bench.test,First${i},Last${i},First${i} Last${i},Europe/Paris,fr-FR`)].join('\n');

export async function benchImport() {
  const database = await benchDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {});
  const db = createDb(database.url, { max: 4 });
  const web = await startWeb(database.url);
  let stopWeb = () => web.stop();
  const client = httpClient(web.url, { sockets: 2 });
  try {
    const signup = await client.post('/trpc/auth.signup', { companyName: 'Bench', slug: 'bench', firstName: 'Bea', lastName: 'Bench', email: 'owner@bench.test', password: 'a long bench password' });
    const { tenant } = signup.body.result.data as { tenant: { id: string } };
    const cookie = cookieFrom(signup);
    const headers = { cookie, origin: web.url };
    await pool.query(`update seat_pools set included = 1000000 where tenant_id = $1`, [tenant.id]);
    const { rows: [member] } = await pool.query(`select id from roles where tenant_id = $1 and key = 'member'`, [tenant.id]);

    const importRates: number[] = [];
    const copyRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // COPY baseline: the same rows the import writes, into the same table and tenant.
      const copyRows = Array.from({ length: IMPORT_ROWS }, (_, i) => `${tenant.id},standard,copy${round}-${i}@bench.test,First${i},Last${i},First${i} Last${i},${member.id},invited,Europe/Paris,fr-FR\n`);
      const connection = await pool.connect();
      let started = performance.now();
      try {
        await pipeline(Readable.from(copyRows), connection.query(copyFrom(`copy users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, time_zone, locale) from stdin with (format csv)`)));
      } finally {
        connection.release();
      }
      const copyMs = performance.now() - started;

      const preview = await client.post('/trpc/imports.preview', { source: { csv: csvOf(`imp${round}-`) }, sendInvitations: false }, headers);
      if (preview.status !== 200) throw new Error(`preview failed: ${JSON.stringify(preview.body).slice(0, 300)}`);
      const id = preview.body.result.data.id as string;
      started = performance.now();
      const start = await client.post('/trpc/imports.start', { id }, headers);
      if (start.status !== 200) throw new Error(`start failed: ${JSON.stringify(start.body).slice(0, 300)}`);
      const outcome = await runImport({ db, jobs: createJobSender(), tenantId: tenant.id, importId: id });
      const importMs = performance.now() - started;
      if (outcome.status !== 'done') throw new Error(`import ${outcome.status}`);
      importRates.push(IMPORT_ROWS / (importMs / 1000));
      copyRates.push(IMPORT_ROWS / (copyMs / 1000));
      console.log(`  round ${round + 1}: import ${fmt(importMs)} ms, COPY ${fmt(copyMs)} ms, ratio ${fmt(copyMs / importMs, 2)}×`);
    }
    console.log(`\nimport benchmark (${IMPORT_ROWS.toLocaleString('en')} new users from a CSV, invitations held)`);
    console.log(`  imports.start → committed run  ${fmt(median(importRates), 0)} rows/s (median of ${ROUNDS})`);
    console.log(`  COPY into users                ${fmt(median(copyRates), 0)} rows/s`);
    console.log(`  ratio ${fmt(median(importRates) / median(copyRates), 2)}× (target ≥ 0.8×)`);

    // Export: a second workspace with 100,000 users.
    const other = await client.post('/trpc/auth.signup', { companyName: 'Export', slug: 'export', firstName: 'Eve', lastName: 'Export', email: 'owner@export.test', password: 'a long bench password' });
    const exportTenant = (other.body.result.data as { tenant: { id: string } }).tenant.id;
    const exportCookie = cookieFrom(other);
    await pool.query(
      `insert into users (tenant_id, kind, email, first_name, last_name, display_name, role_id, status, created_at)
       select $1, 'standard', 'u' || i || '@export.test', 'First' || i, 'Last' || i, 'First' || i || ' Last' || i,
              (select id from roles where tenant_id = $1 and key = 'member'), 'active', now() - i * interval '1 second'
       from generate_series(1, ${EXPORT_USERS}) i`,
      [exportTenant],
    );
    await pool.query('vacuum analyze users');
    let exportUrl = web.url;
    const download = async (query = '') => {
      const response = await fetch(`${exportUrl}/export/users.csv${query}`, { headers: { cookie: exportCookie } });
      let bytes = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
      if (response.status !== 200) throw new Error(`export answered ${response.status}`);
      return bytes;
    };
    const copyOut = async () => {
      const connection = await pool.connect();
      let bytes = 0;
      try {
        await pipeline(
          connection.query(copyTo(`copy (select u.email, u.first_name, u.last_name, u.display_name, u.user_name, u.kind, r.name, u.time_zone, u.locale, u.saml_name_id, u.status, u.last_sign_in_at, u.created_at
                                        from users u join roles r on r.id = u.role_id where u.tenant_id = '${exportTenant}' and not u.is_system order by u.created_at, u.id) to stdout with (format csv, header)`)),
          new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) }),
        );
      } finally {
        connection.release();
      }
      return bytes;
    };
    // A fresh web process for the export, so the imports' peak does not hide its memory.
    await web.stop();
    const exportWeb = await startWeb(database.url);
    stopWeb = () => exportWeb.stop();
    exportUrl = exportWeb.url;
    await download('?status=banned'); // warm-up through the same code path (no rows): compiled, pools open
    const before = await exportWeb.peakMemoryMb();
    const exportMs: number[] = [];
    const copyOutMs: number[] = [];
    let size = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      size = await download();
      exportMs.push(performance.now() - started);
      started = performance.now();
      await copyOut();
      copyOutMs.push(performance.now() - started);
      console.log(`  export round ${round + 1}: web ${fmt(exportMs[round])} ms, COPY TO STDOUT ${fmt(copyOutMs[round])} ms, ratio ${fmt(copyOutMs[round] / exportMs[round], 2)}×`);
    }
    const after = await exportWeb.peakMemoryMb();
    console.log(`\nexport benchmark (${EXPORT_USERS.toLocaleString('en')} users, ${fmt(size / 1024 / 1024)} MB of CSV)`);
    console.log(`  /export/users.csv      ${fmt(median(exportMs))} ms (median of ${ROUNDS})`);
    console.log(`  COPY (select …) TO STDOUT ${fmt(median(copyOutMs))} ms`);
    console.log(`  rate ratio ${fmt(median(copyOutMs) / median(exportMs), 2)}× (target ≥ 0.5×)`);
    console.log(`  web process peak memory ${fmt(before)} MB → ${fmt(after)} MB: growth ${fmt(after - before)} MB (target < 50 MB)`);
  } finally {
    client.close();
    await stopWeb();
    await db.destroy();
    await pool.end();
    await database.stop();
  }
}
