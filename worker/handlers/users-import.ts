import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { runImport } from '../../server/domain/imports/run';
import { createJobSender } from '../../server/jobs/index';
import { usersImport } from '../../server/jobs/users-import';

/** Idempotent: the run is one transaction, and an import already done or failed is left alone. */
export function createUsersImportHandler({ db, log, now = () => new Date() }: { db: Db; log: Logger; now?: () => Date }) {
  const jobs = createJobSender();
  return async (job: PgBoss.Job<unknown>) => {
    const { tenantId, importId } = usersImport.payload.parse(job.data);
    const outcome = await runImport({ db, jobs, tenantId, importId, now });
    log.info({ importId, ...outcome }, 'import run');
    return outcome;
  };
}
