import PgBoss from 'pg-boss';
import { migrateSchema } from '../../db/migrate';
import { ensureQueues } from './index';

/**
 * Everything a fresh database needs before the app starts: our schema (db/migrations), then
 * pg-boss's queues with their policies (server/jobs). The queues belong to the app, so db/ does
 * not know them.
 */
export async function migrateLatest(url: string) {
  await migrateSchema(url);
  const boss = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
