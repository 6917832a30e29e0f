import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { createDb } from '../db/index';
import type { Env } from '../server/env';
import { emailSend } from '../server/jobs/email-send';
import { ensureQueues } from '../server/jobs/index';
import { createMailTransport } from '../server/mail/transport';
import { createEmailSendHandler } from './handlers/email-send';

const EMAIL_WORKERS = 4;

export type WorkerOptions = { env: Env; log: Logger; pollingIntervalSeconds?: number; now?: () => Date };

export async function startWorker({ env, log, pollingIntervalSeconds = 2, now }: WorkerOptions) {
  const db = createDb(env.DATABASE_URL, { max: 4, onError: (err) => log.warn({ err }, 'database connection lost') });
  const boss = new PgBoss({ connectionString: env.DATABASE_URL, max: 6, application_name: 'seatwise-worker' });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  await boss.start();
  await ensureQueues(boss);

  const mail = createMailTransport({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, db });
  const sendEmail = createEmailSendHandler({ mail, db, appUrl: env.APP_URL, log, now });
  // pg-boss 10 runs one job per poll per worker: several workers drain a burst of invitations.
  for (let i = 0; i < EMAIL_WORKERS; i++) await boss.work(emailSend.name, { pollingIntervalSeconds }, sendEmail);

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
