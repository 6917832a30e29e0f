import nodemailer from 'nodemailer';
import type { Db } from '../../db/index';
import type { RenderedMail } from './templates';

export type OutgoingMail = RenderedMail & { to: string };
export type MailTransport = { send(mail: OutgoingMail): Promise<void>; close(): void };

/** SPEC §2: SMTP when SMTP_URL is set, otherwise the development mailbox read at /dev/mailbox. */
export function createMailTransport({ smtpUrl, from, db }: { smtpUrl?: string; from: string; db: Db }): MailTransport {
  if (smtpUrl) {
    const smtp = nodemailer.createTransport(smtpUrl);
    return {
      async send(mail) {
        await smtp.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      },
      close: () => smtp.close(),
    };
  }
  return {
    async send(mail) {
      await db('dev_mail').insert({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => {},
  };
}
