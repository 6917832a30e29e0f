/**
 * `npm run db:migrate | db:rollback | db:seed`: against DATABASE_URL when set; otherwise against
 * the embedded PostgreSQL under .data/ — the one `npm start` is running if it is up (its data
 * directory admits one server only), or one started just for this command.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { localDatabase } from '../db/local';
import { ensureDatabase, rollbackLast } from '../db/migrate';
import { migrateLatest } from '../server/jobs/queues-setup';

const DATA = '.data';

function alivePid(file: string) {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/**
 * The embedded PostgreSQL of a running `npm start`: PostgreSQL writes its pid and port to
 * postmaster.pid (lines 1 and 4), and the password is in .data/postgres-password. Null when none
 * is running; an error that says what to do when `npm start` is up but its PostgreSQL is not.
 */
async function runningDatabase() {
  const appPid = alivePid(path.join(DATA, 'seatwise.pid'));
  const pgPid = alivePid(path.join(DATA, 'pg', 'postmaster.pid'));
  const stopFirst = (why: string) =>
    new Error(
      `${why}: stop it first (Ctrl-C in its terminal, or kill ${appPid ?? pgPid}), ` +
        `or run the command with DATABASE_URL=postgres://… pointing at the database it uses.`,
    );
  if (!pgPid) {
    if (appPid) throw stopFirst(`Seatwise is running (pid ${appPid}) but its embedded PostgreSQL is not up (still starting, or it uses DATABASE_URL)`);
    return null;
  }
  const port = Number(readFileSync(path.join(DATA, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const password = readFileSync(path.join(DATA, 'postgres-password'), 'utf8').trim();
  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  try {
    return await ensureDatabase(serverUrl, 'seatwise');
  } catch (error) {
    throw stopFirst(`Seatwise's PostgreSQL (pid ${pgPid}, port ${port}) is running but refused a connection (${(error as Error).message})`);
  }
}

async function openDatabase() {
  if (process.env.DATABASE_URL) return localDatabase(console.log);
  const running = await runningDatabase();
  if (!running) return localDatabase(console.log);
  console.log('Using the embedded PostgreSQL that the running Seatwise started (it keeps running).');
  return { url: running, stop: async () => {} };
}

const command = process.argv[2];
const commands: Record<string, (url: string) => Promise<void>> = {
  migrate: migrateLatest,
  rollback: rollbackLast,
  seed: async (url) => {
    await migrateLatest(url);
    const { seedDemo } = await import('./seed-demo');
    await seedDemo(url);
  },
};

if (!commands[command]) {
  console.error(`Usage: scripts/db.ts ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
let database;
try {
  database = await openDatabase();
} catch (error) {
  console.error(`db:${command}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
try {
  await commands[command](database.url);
  console.log(`db:${command} done`);
} finally {
  await database.stop();
}
