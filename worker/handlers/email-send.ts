import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { emailSendPayload } from '../../server/jobs/email-send';
import { renderMail } from '../../server/mail/templates';
import type { MailTransport } from '../../server/mail/transport';

/**
 * At least once: a worker killed between the SMTP hand-off and completing the job sends the mail
 * again after the job expires. A duplicate email is better than a lost invitation.
 */
export function createEmailSendHandler({ mail, appUrl, log }: { mail: MailTransport; appUrl: string; log: Logger }) {
  return async (jobs: PgBoss.Job<unknown>[]) => {
    for (const job of jobs) {
      const payload = emailSendPayload.parse(job.data);
      const rendered = renderMail(payload.template, { appUrl, data: payload.data });
      await mail.send({ to: payload.to, ...rendered });
      log.info({ jobId: job.id, template: payload.template }, 'email sent');
    }
  };
}
