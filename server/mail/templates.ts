/**
 * Every email is one template: a subject, paragraphs and an optional button, rendered to both a
 * plain-text and an HTML body so the two can never say different things.
 *
 * A URL is never written inside a sentence: mail clients (and the dev mailbox) take the
 * punctuation after a bare URL as part of it (`…?workspace=acme.`). A URL goes in a link
 * paragraph, where it stands alone on the last line, or in the action.
 *
 * SPEC "Users": emails are in the recipient's time zone and locale. Senders pass instants as ISO
 * strings and figures as numbers; the template words them with the recipient's formatter (the
 * worker looks the recipient up when it sends). A value that is not an instant (a job queued before
 * this rule) is written as it came.
 */
import { formatterFor, type Formatter } from '../contract/format';
import { seatCount } from '../contract/seats';

export type LinkParagraph = { text: string; url: string };
export type Paragraph = string | LinkParagraph;
export type MailContent = { subject: string; paragraphs: Paragraph[]; action?: { label: string; url: string } };
export type RenderedMail = { subject: string; text: string; html: string };

type TemplateContext = { appUrl: string; data: Record<string, unknown>; format: Formatter };
/** `format` defaults to UTC / en-US: an email to no known person. */
export type RenderContext = Omit<TemplateContext, 'format'> & { format?: Formatter };

const str = (value: unknown) => (value == null ? '' : String(value));
const isInstant = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
/** An instant in the recipient's zone and locale, e.g. "Dec 8, 2026, 2:32 PM GMT+1". */
const dateTime = (format: Formatter, value: unknown) => (isInstant(value) ? format.dateTime(value) : str(value));
/** The day of an instant in the recipient's zone, e.g. "Dec 8, 2026". */
const date = (format: Formatter, value: unknown) => (isInstant(value) ? format.date(value) : str(value));
/** A figure with the recipient's grouping ("1,200" / "1 200"). */
const num = (format: Formatter, value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? format.number(value) : str(value));
const loginUrl = (appUrl: string, slug: unknown) => `${appUrl}/login?workspace=${encodeURIComponent(str(slug))}`;

const templates = {
  welcome: ({ appUrl, data, format }: TemplateContext): MailContent => ({
    subject: `Welcome to Seatwise, ${str(data.firstName)}`,
    paragraphs: [
      `Hi ${str(data.firstName)},`,
      `Your workspace ${str(data.tenantName)} is ready. It includes ${num(format, data.includedSeats)} user seats; you are its Owner.`,
      { text: 'Sign in to it at this address (worth a bookmark):', url: loginUrl(appUrl, data.slug) },
      'Invite your team from the Users page, and buy more seats from Billing whenever you need them.',
    ],
    action: { label: 'Open your dashboard', url: `${appUrl}/dashboard` },
  }),
  'password-reset': ({ data, format }: TemplateContext): MailContent => ({
    subject: 'Reset your Seatwise password',
    paragraphs: [
      `Hi ${str(data.firstName)},`,
      // Sent by an admin from the user's page (data.sentBy), or asked for on the sign-in page.
      (data.sentBy
        ? `${str(data.sentBy)} from ${str(data.tenantName)} sent you a link to set a new password for your account. `
        : `Someone asked to reset the password of your account in the ${str(data.tenantName)} workspace. `) +
        `The link below works once, for one hour${data.expiresAt ? ` (until ${dateTime(format, data.expiresAt)})` : ''}.`,
      data.sentBy ? 'Until you use it, your password stays as it is.' : "If it wasn't you, ignore this email: your password stays as it is.",
    ],
    action: { label: 'Choose a new password', url: str(data.url) },
  }),
  'account-locked': ({ data, format }: TemplateContext): MailContent => ({
    subject: 'Your Seatwise account is locked',
    paragraphs: [
      `Hi ${str(data.firstName)},`,
      `After ${num(format, data.attempts)} wrong passwords in a row, your account in the ${str(data.tenantName)} workspace is locked.`,
      `Choose a new password with the link below (it works once, for one hour${data.expiresAt ? `, until ${dateTime(format, data.expiresAt)}` : ''}) to unlock it, or ask your administrator.`,
      "If these attempts weren't yours, someone may know your email address: the new password keeps them out.",
    ],
    action: { label: 'Reset password and unlock', url: str(data.url) },
  }),
  invitation: ({ data, format }: TemplateContext): MailContent => ({
    subject: `${str(data.inviter)} invited you to ${str(data.tenantName)} on Seatwise`,
    paragraphs: [
      `Hi ${str(data.firstName)},`,
      `${str(data.inviter)} invited you to the ${str(data.tenantName)} workspace on Seatwise.`,
      `Choose your password with the link below to join. It works once, for 7 days${data.expiresAt ? ` (until ${dateTime(format, data.expiresAt)})` : ''}; after that, ask your administrator for a new one.`,
    ],
    action: { label: 'Accept the invitation', url: str(data.url) },
  }),
  'inactivity-warning': ({ appUrl, data, format }: TemplateContext): MailContent => ({
    subject: `Your ${str(data.tenantName)} account will be deactivated on ${date(format, data.deactivateAt ?? data.date)}`,
    paragraphs: [
      `Hi ${str(data.firstName)},`,
      `You have not used your account in the ${str(data.tenantName)} workspace for a while. Accounts unused for ` +
        `${num(format, data.days)} days are deactivated, and yours will be on ${date(format, data.deactivateAt ?? data.date)}.`,
      isInstant(data.deactivateAt) ? `To keep it, simply sign in before ${dateTime(format, data.deactivateAt)}.` : 'To keep it, simply sign in before then.',
    ],
    action: { label: 'Sign in', url: loginUrl(appUrl, data.slug) },
  }),
  'inactivity-summary': ({ appUrl, data, format }: TemplateContext): MailContent => {
    const users = (data.users as { name: string; email: string; lastActivity: string }[]) ?? [];
    const total = Number(data.total ?? users.length);
    return {
      subject: `${format.number(total)} inactive ${total === 1 ? 'user was' : 'users were'} deactivated in ${str(data.tenantName)}`,
      paragraphs: [
        `These users had not signed in or used an API key for ${num(format, data.days)} days, so they were deactivated and their seats released:`,
        ...users.map((u) => `• ${u.name} <${u.email}>, last active ${date(format, u.lastActivity)}`),
        ...(total > users.length ? [`…and ${format.number(total - users.length)} more.`] : []),
        'Reactivate anyone who still needs access from their page in Users (a free seat is needed).',
      ],
      action: { label: 'Review users', url: `${appUrl}/users?status=deactivated` },
    };
  },
  'seat-threshold': ({ appUrl, data, format }: TemplateContext): MailContent => ({
    subject: `${str(data.label)} seats are ${num(format, data.percent)}% used in ${str(data.tenantName)}`,
    paragraphs: [
      `${num(format, data.used)} of ${num(format, data.purchased)} ${str(data.label)} seats are in use.`,
      Number(data.percent) >= 100
        ? 'New users of this kind cannot be added until seats are bought or users are deactivated.'
        : 'Buy more seats before you run out, so nobody waits for access.',
    ],
    action: { label: 'Manage seats', url: `${appUrl}/billing` },
  }),
  'seats-changed': ({ appUrl, data, format }: TemplateContext): MailContent => {
    const added = Number(data.added);
    return {
      subject:
        added > 0
          ? `${seatCount(added, str(data.label), format.number(added))} ${added === 1 ? 'is' : 'are'} now active in ${str(data.tenantName)}`
          : `${str(data.label)} seats went from ${num(format, data.before)} to ${num(format, data.after)} in ${str(data.tenantName)}`,
      paragraphs: [
        added > 0
          ? `${seatCount(added, str(data.label), format.number(added))} ${added === 1 ? 'is' : 'are'} now active: you have ${num(format, data.after)} in all, and can add users at once.`
          : `Your ${str(data.label)} seats went from ${num(format, data.before)} to ${num(format, data.after)}. Nobody was removed; if more users hold seats than you have, deactivate some or buy seats to add new ones.`,
      ],
      action: { label: 'Open billing', url: `${appUrl}/billing` },
    };
  },
} satisfies Record<string, (ctx: TemplateContext) => MailContent>;

export type TemplateName = keyof typeof templates;
export const templateNames = Object.keys(templates) as [TemplateName, ...TemplateName[]];

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMail(template: TemplateName, ctx: RenderContext): RenderedMail {
  const content = templates[template]({ ...ctx, format: ctx.format ?? formatterFor(null) });
  const text = [
    ...content.paragraphs.map((p) => (typeof p === 'string' ? p : `${p.text}\n${p.url}`)),
    ...(content.action ? [`${content.action.label}:\n${content.action.url}`] : []),
  ]
    .concat(['', '— Seatwise'])
    .join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937">',
    ...content.paragraphs.map((p) =>
      typeof p === 'string' ? `<p>${escapeHtml(p)}</p>` : `<p>${escapeHtml(p.text)}<br><a href="${escapeHtml(p.url)}">${escapeHtml(p.url)}</a></p>`,
    ),
    content.action
      ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 16px;background:#4f46e5;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>`
      : '',
    '<p style="color:#6b7280">— Seatwise</p></body></html>',
  ].join('');
  return { subject: content.subject, text, html };
}
