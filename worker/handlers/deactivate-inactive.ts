import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { runInactivitySweep } from '../../server/domain/users/inactivity';
import { createJobSender } from '../../server/jobs/index';

/** Idempotent: each tenant commits on its own, and a rerun finds only what is left to do. */
export function createDeactivateInactiveHandler({
  db,
  log,
  now = () => new Date(),
  afterTenant,
}: {
  db: Db;
  log: Logger;
  now?: () => Date;
  /** Runs after each tenant commits (tests hold a sweep half done with it). */
  afterTenant?: () => Promise<void>;
}) {
  const jobs = createJobSender();
  return async (job: { id: string; data: unknown }) => {
    const totals = await runInactivitySweep({ db, jobs, now: now(), afterTenant });
    // The scheduled time it ran for: one such line per slot across every worker (SPEC §6).
    log.info({ ...totals, jobId: job.id, scheduledFor: (job.data as { scheduledFor?: string } | null)?.scheduledFor }, 'inactivity sweep done');
    return totals;
  };
}

/**
 * Test only (NODE_ENV=test): `TEST_SWEEP_HOLD_AFTER_TENANTS=n` makes a sweep stop for good once n
 * tenants have committed, so a test can kill the worker while the sweep is provably half done.
 * Tenants run two at a time: the other one in flight commits, then holds too.
 */
export function sweepHoldFromEnv(env: NodeJS.ProcessEnv, log: Logger): (() => Promise<void>) | undefined {
  const hold = Number(env.TEST_SWEEP_HOLD_AFTER_TENANTS);
  if (env.NODE_ENV !== 'test' || !Number.isInteger(hold) || hold <= 0) return undefined;
  let committed = 0;
  return async () => {
    committed += 1;
    if (committed < hold) return;
    log.warn({ committed }, 'inactivity sweep held by TEST_SWEEP_HOLD_AFTER_TENANTS');
    await new Promise<never>(() => {});
  };
}
