import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { createDb } from '../db/index';
import type { Env } from '../server/shared/env';
import { deactivateInactive } from '../server/jobs/deactivate-inactive';
import { emailSend } from '../server/jobs/email-send';
import { ensureQueues } from '../server/jobs/index';
import { createMailTransport } from '../server/mail/transport';
import { createDeactivateInactiveHandler } from './handlers/deactivate-inactive';
import { createEmailSendHandler } from './handlers/email-send';
import { createStripeEventHandler } from './handlers/stripe-event';
import { createUsersImportHandler, type ImportRunHooks } from './handlers/users-import';
import { usersImport } from '../server/jobs/users-import';
import { stripeEvent } from '../server/jobs/stripe-event';
import { createStripeClient } from '../server/stripe/client';
import { startJobLoop, type JobHandler } from './runner';
import { startSchedule } from './schedule';

const EMAIL_WORKERS = 4;

export type WorkerOptions = {
  env: Env;
  log: Logger;
  pollingIntervalSeconds?: number;
  /** The jobs' clock (tests move it); the schedule reads `scheduleClock`. */
  now?: () => Date;
  /** How often pg-boss retries expired jobs of killed workers; tests shorten it. */
  maintenanceIntervalSeconds?: number;
  /** The clock the inactivity schedule reads: real time unless a test drives it. */
  scheduleClock?: () => Date;
  /** How often this instance checks the schedule; 0 turns the timer off (a test calls `schedule.tick`). */
  scheduleTickSeconds?: number;
  /** Runs after each tenant of an inactivity sweep commits (tests hold a sweep with it). */
  afterSweepTenant?: () => Promise<void>;
  /** Chunk size and after-chunk hook of import runs (tests hold a run with it). */
  importRunHooks?: ImportRunHooks;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The worker may start before the database: keep trying, and say so, instead of exiting. A
 * pg-boss instance whose start failed stays half-started, so each attempt gets a fresh one.
 */
async function startBoss(options: PgBoss.ConstructorOptions, log: Logger) {
  for (let attempt = 1; ; attempt++) {
    const boss = new PgBoss(options);
    boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
    try {
      await boss.start();
      return boss;
    } catch (err) {
      log.warn({ err, attempt }, 'database not reachable yet; retrying');
      await boss.stop({ graceful: false, wait: false }).catch(() => {});
      await sleep(Math.min(10_000, 500 * attempt));
    }
  }
}

/** Logs each failure with its attempt, and loudly the last one, when pg-boss dead-letters the job. */
function logged(name: string, log: Logger, handler: JobHandler): JobHandler {
  return async (job) => {
    try {
      return await handler(job);
    } catch (err) {
      const final = job.retryCount >= job.retryLimit;
      log[final ? 'error' : 'warn']({ err, jobId: job.id, queue: name, attempt: job.retryCount + 1, of: job.retryLimit + 1 }, final ? 'job failed for good: moved to its dead-letter queue' : 'job failed; it will be retried');
      throw err;
    }
  };
}

export async function startWorker({
  env,
  log,
  pollingIntervalSeconds = 2,
  now,
  maintenanceIntervalSeconds,
  scheduleClock,
  scheduleTickSeconds,
  afterSweepTenant,
  importRunHooks,
}: WorkerOptions) {
  const db = createDb(env.DATABASE_URL, { max: 4, onError: (err) => log.warn({ err }, 'database connection lost'), warn: (message) => log.warn({ knex: message }, 'database warning') });
  const boss = await startBoss(
    {
      connectionString: env.DATABASE_URL,
      max: 6,
      application_name: 'seatwise-worker',
      // Our own schedule (./schedule.ts) sends the sweep: pg-boss's cron would only add a queue.
      schedule: false,
      ...(maintenanceIntervalSeconds ? { maintenanceIntervalSeconds } : {}),
    },
    log,
  );
  await ensureQueues(boss);
  // An older worker registered the sweep with pg-boss's cron: that row would send it a second time.
  await boss.unschedule(deactivateInactive.name);

  const mail = createMailTransport({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, db });
  const sendEmail = createEmailSendHandler({ mail, db, appUrl: env.APP_URL, log, now });
  const sweep = createDeactivateInactiveHandler({ db, log, now, afterTenant: afterSweepTenant });
  const stripeHandler = createStripeEventHandler({ db, stripe: createStripeClient(env), env, log, now });
  const loop = (name: string, handler: JobHandler) => ({ name, loop: startJobLoop({ boss, name, pollingIntervalSeconds, log, handler: logged(name, log, handler) }) });
  const loops = [
    // One job at a time per loop: several loops drain a burst of invitations.
    ...Array.from({ length: EMAIL_WORKERS }, () => loop(emailSend.name, (job) => sendEmail([job]))),
    loop(deactivateInactive.name, sweep),
    ...Array.from({ length: 2 }, () => loop(stripeEvent.name, stripeHandler)),
    loop(usersImport.name, createUsersImportHandler({ db, log, now, hooks: importRunHooks })),
  ];
  const schedule = startSchedule({ boss, queue: deactivateInactive.name, cron: env.INACTIVITY_CRON, log, clock: scheduleClock, tickSeconds: scheduleTickSeconds });

  return {
    boss,
    schedule,
    /** Polls made by this instance's loops of one queue (tests wait for them). */
    polls: (name: string) => loops.filter((l) => l.name === name).reduce((n, l) => n + l.loop.polls, 0),
    /** Stops taking jobs and lets the running ones finish (SPEC §6, graceful stop). */
    async stop() {
      schedule.stop();
      await Promise.all(loops.map((l) => l.loop.stop(30_000)));
      await boss.stop({ graceful: false }).catch((err) => log.warn({ err }, 'pg-boss did not stop cleanly'));
      mail.close();
      await db.destroy();
    },
  };
}
