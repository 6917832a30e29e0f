import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { runImport, type RunImportOptions } from '../../server/domain/imports/run';
import { createJobSender } from '../../server/jobs/index';
import { usersImport } from '../../server/jobs/users-import';

/** How a run is cut into chunks and what follows each one (tests hold a run half done with it). */
export type ImportRunHooks = Pick<RunImportOptions, 'chunkSize' | 'afterChunk'>;

/** Idempotent: the run is one transaction, and an import already done or failed is left alone. */
export function createUsersImportHandler({ db, log, now = () => new Date(), hooks }: { db: Db; log: Logger; now?: () => Date; hooks?: ImportRunHooks }) {
  const jobs = createJobSender();
  return async (job: PgBoss.Job<unknown>) => {
    const { tenantId, importId } = usersImport.payload.parse(job.data);
    const outcome = await runImport({ db, jobs, tenantId, importId, now, ...hooks });
    log.info({ importId, ...outcome }, 'import run');
    return outcome;
  };
}

/**
 * Test only (NODE_ENV=test): `TEST_IMPORT_HOLD_AFTER_ROWS=n` makes a run write n users per chunk
 * and stop for good after its first chunk, its transaction still open, so a test can kill the
 * worker while the import is provably half done (its progress row says n).
 */
export function importHoldFromEnv(env: NodeJS.ProcessEnv, log: Logger): ImportRunHooks | undefined {
  const hold = Number(env.TEST_IMPORT_HOLD_AFTER_ROWS);
  if (env.NODE_ENV !== 'test' || !Number.isInteger(hold) || hold <= 0) return undefined;
  return {
    chunkSize: hold,
    afterChunk: async (done) => {
      log.warn({ done }, 'import run held by TEST_IMPORT_HOLD_AFTER_ROWS');
      await new Promise<never>(() => {});
    },
  };
}
