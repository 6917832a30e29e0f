import { startEmbeddedPostgres } from './embedded';
import { ensureDatabase } from './migrate';

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under .data/ (SPEC §2), with the
 * `seatwise` database created on first use.
 */
export async function localDatabase(log: (message: string) => void) {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  log('Starting the embedded PostgreSQL (data in .data/pg)…');
  const server = await startEmbeddedPostgres({ dir: '.data' });
  log(`PostgreSQL is listening on 127.0.0.1:${server.port} (user postgres, password in .data/postgres-password)`);
  const url = await ensureDatabase(server.url, 'seatwise');
  return { url, stop: server.stop };
}
