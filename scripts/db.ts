import { localDatabase } from '../db/local';
import { rollbackLast } from '../db/migrate';
import { migrateLatest } from '../server/jobs/queues-setup';

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
const database = await localDatabase(console.log);
try {
  await commands[command](database.url);
  console.log(`db:${command} done`);
} finally {
  await database.stop();
}
