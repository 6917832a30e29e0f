import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { runInactivitySweep } from '../../server/domain/users/inactivity';
import { createJobSender } from '../../server/jobs/index';

/** Idempotent: each tenant commits on its own, and a rerun finds only what is left to do. */
export function createDeactivateInactiveHandler({ db, log, now = () => new Date() }: { db: Db; log: Logger; now?: () => Date }) {
  const jobs = createJobSender();
  return async () => {
    const totals = await runInactivitySweep({ db, jobs, now: now() });
    log.info(totals, 'inactivity sweep done');
    return totals;
  };
}
