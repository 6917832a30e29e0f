import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { createDb } from '../db/index';
import type { Env } from '../server/env';
import { deactivateInactive } from '../server/jobs/deactivate-inactive';
import { emailSend } from '../server/jobs/email-send';
import { ensureQueues } from '../server/jobs/index';
import { createMailTransport } from '../server/mail/transport';
import { createDeactivateInactiveHandler } from './handlers/deactivate-inactive';
import { createEmailSendHandler } from './handlers/email-send';
import { createStripeEventHandler } from './handlers/stripe-event';
import { stripeEvent } from '../server/jobs/stripe-event';
import { createStripeClient } from '../server/stripe/client';

const EMAIL_WORKERS = 4;

export type WorkerOptions = {
  env: Env;
  log: Logger;
  pollingIntervalSeconds?: number;
  now?: () => Date;
  /** How often pg-boss retries expired jobs of killed workers and runs the schedule; tests shorten it. */
  maintenanceIntervalSeconds?: number;
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
function logged<T>(name: string, log: Logger, handler: (job: PgBoss.JobWithMetadata<T>) => Promise<unknown>) {
  return async ([job]: PgBoss.JobWithMetadata<T>[]) => {
    try {
      return await handler(job);
    } catch (err) {
      const final = job.retryCount >= job.retryLimit;
      log[final ? 'error' : 'warn']({ err, jobId: job.id, queue: name, attempt: job.retryCount + 1, of: job.retryLimit + 1 }, final ? 'job failed for good: moved to its dead-letter queue' : 'job failed; it will be retried');
      throw err;
    }
  };
}

export async function startWorker({ env, log, pollingIntervalSeconds = 2, now, maintenanceIntervalSeconds }: WorkerOptions) {
  const db = createDb(env.DATABASE_URL, { max: 4, onError: (err) => log.warn({ err }, 'database connection lost'), warn: (message) => log.warn({ knex: message }, 'database warning') });
  const boss = await startBoss(
    {
      connectionString: env.DATABASE_URL,
      max: 6,
      application_name: 'seatwise-worker',
      // Only maintenance is sped up in tests: a faster cron monitor would send a schedule's job
      // again within the same minute once the first one has completed.
      ...(maintenanceIntervalSeconds ? { maintenanceIntervalSeconds } : {}),
    },
    log,
  );
  await ensureQueues(boss);

  const mail = createMailTransport({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, db });
  const sendEmail = createEmailSendHandler({ mail, db, appUrl: env.APP_URL, log, now });
  const options = { pollingIntervalSeconds, includeMetadata: true as const };
  // pg-boss 10 runs one job per poll per worker: several workers drain a burst of invitations.
  for (let i = 0; i < EMAIL_WORKERS; i++) await boss.work(emailSend.name, options, logged(emailSend.name, log, (job) => sendEmail([job])));
  const sweep = createDeactivateInactiveHandler({ db, log, now });
  await boss.work(deactivateInactive.name, options, logged(deactivateInactive.name, log, sweep));
  await boss.schedule(deactivateInactive.name, env.INACTIVITY_CRON, {}, { tz: 'UTC' });
  const stripeHandler = createStripeEventHandler({ db, stripe: createStripeClient(env), env, log, now });
  for (let i = 0; i < 2; i++) await boss.work(stripeEvent.name, options, logged(stripeEvent.name, log, stripeHandler));

  return {
    boss,
    /** Stops taking jobs and lets the running ones finish (SPEC §6, graceful stop). */
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
      mail.close();
      await db.destroy();
    },
  };
}
