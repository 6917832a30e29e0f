import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../../db/index';
import { formatterFor } from '../../server/contract/format';
import { issueOneTimeToken, TOKEN_TTL_MINUTES } from '../../server/domain/auth/one-time-tokens';
import { emailSendPayload } from '../../server/jobs/email-send';
import { renderMail } from '../../server/mail/templates';
import type { MailTransport } from '../../server/mail/transport';

const LINK_PATHS = { invitation: '/invite/', password_reset: '/reset-password/' } as const;

/**
 * At least once: a worker killed between the SMTP hand-off and completing the job sends the mail
 * again after the job expires. A duplicate email is better than a lost invitation; a repeated
 * link email carries a fresh link and the older one stops working.
 */
export function createEmailSendHandler({
  mail,
  db,
  appUrl,
  log,
  now = () => new Date(),
}: {
  mail: MailTransport;
  db: Db;
  appUrl: string;
  log: Logger;
  now?: () => Date;
}) {
  return async (jobs: PgBoss.Job<unknown>[]) => {
    for (const job of jobs) {
      const payload = emailSendPayload.parse(job.data);
      const data = { ...payload.data };
      if (payload.link && payload.tenantId) {
        const { purpose, userId } = payload.link;
        const tenantId = payload.tenantId;
        // Committed before sending: the link must work the moment the email arrives. If the send
        // fails, the retry mints a new link and this unsent one dies with it.
        const at = now();
        const token = await db.transaction((trx) => issueOneTimeToken({ trx, tenantId, userId, purpose, now: at }));
        data.url = `${appUrl}${LINK_PATHS[purpose]}${token}`;
        data.expiresAt = new Date(at.getTime() + TOKEN_TTL_MINUTES[purpose] * 60_000).toISOString();
      }
      // SPEC "Users": emails in the recipient's time zone and locale, as their profile says when
      // the mail goes out (an invitee has the values the inviter chose, or UTC / en).
      const recipient = payload.tenantId
        ? await db('users')
            .where({ tenantId: payload.tenantId })
            .modify((q) => (payload.link ? q.where({ id: payload.link.userId }) : q.whereRaw('lower(email) = lower(?)', [payload.to])))
            .first('timeZone', 'locale')
        : undefined;
      const rendered = renderMail(payload.template, { appUrl, data, format: formatterFor(recipient) });
      await mail.send({ to: payload.to, ...rendered });
      log.info({ jobId: job.id, template: payload.template }, 'email sent');
    }
  };
}
