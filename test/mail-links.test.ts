import type { LoaderFunctionArgs } from '@remix-run/node';
import { describe, expect, it } from 'vitest';
import { renderMail, templateNames, type TemplateName } from '../server/mail/templates';
import { loader } from '../app/routes/login';
import { safeRedirect } from '../app/utils/redirect';

const appUrl = 'https://seatwise.example.com';

/** Data shaped as each sender passes it (server/domain/**, worker/handlers/email-send.ts adds `url`). */
const samples = {
  welcome: { firstName: 'Ada', tenantName: 'Acme', slug: 'acme', includedSeats: 3 },
  'password-reset': { firstName: 'Ada', tenantName: 'Acme', url: `${appUrl}/reset-password/${'t'.repeat(43)}`, expiresAt: '2026-12-01T14:32:00.000Z' },
  'account-locked': { firstName: 'Ada', tenantName: 'Acme', attempts: 5, url: `${appUrl}/reset-password/${'t'.repeat(43)}`, expiresAt: '2026-12-01T14:32:00.000Z' },
  invitation: { firstName: 'Ada', tenantName: 'Acme', slug: 'acme', inviter: 'Grace Hopper', url: `${appUrl}/invite/${'t'.repeat(43)}`, expiresAt: '2026-12-08T13:32:00.000Z' },
  'inactivity-warning': { firstName: 'Ada', tenantName: 'Acme', slug: 'acme', days: 90, deactivateAt: '2025-03-01T10:00:00.000Z' },
  'inactivity-summary': {
    tenantName: 'Acme',
    days: 90,
    total: 3,
    users: [
      { name: 'Ada Lovelace', email: 'ada@acme.test', lastActivity: '2024-12-01T09:00:00.000Z' },
      { name: 'Alan Turing', email: 'alan@acme.test', lastActivity: '2024-11-20T23:30:00.000Z' },
    ],
  },
  'seat-threshold': { tenantName: 'Acme', label: 'User', percent: 100, used: 10, purchased: 10 },
  'seats-changed': { tenantName: 'Acme', label: 'User', before: 5, after: 8, added: 3 },
} satisfies Record<TemplateName, Record<string, unknown>>;

// Greedy, as an autolinker that trusts the text would be: punctuation touching a URL is caught.
const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
const rendered = templateNames.map((name) => [name, renderMail(name, { appUrl, data: samples[name] })] as const);

describe('mail templates: links', () => {
  it('has sample data for every template', () => {
    expect(Object.keys(samples).sort()).toEqual([...templateNames].sort());
  });

  it.each(rendered)('%s: no URL in the text or HTML is followed by punctuation', (_name, mail) => {
    for (const body of [mail.text, mail.html]) {
      const urls = body.match(URL_PATTERN) ?? [];
      for (const url of urls) expect(url, `in ${JSON.stringify(body)}`).not.toMatch(/[.,);]$/);
      for (const match of body.matchAll(URL_PATTERN)) {
        expect(body[match.index + match[0].length] ?? '', `after ${match[0]}`).not.toMatch(/^[.,);]$/);
      }
    }
  });

  it.each(rendered)('%s: every text line with a URL ends with it', (_name, mail) => {
    const lines = mail.text.split('\n').filter((line) => URL_PATTERN.test(line));
    URL_PATTERN.lastIndex = 0;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const urls = line.match(URL_PATTERN)!;
      expect(urls, line).toHaveLength(1);
      expect(line.trimEnd().endsWith(urls[0]), line).toBe(true);
    }
  });

  it.each(rendered)('%s: every HTML link points where its text says', (_name, mail) => {
    for (const [, href, label] of mail.html.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) {
      expect(href).toMatch(/^https?:\/\/\S+$/);
      if (/^https?:/.test(label)) expect(label).toBe(href);
    }
  });

  it('the welcome email links to its workspace exactly, on a line of its own', () => {
    const { text, html } = renderMail('welcome', { appUrl, data: samples.welcome });
    expect(text).toContain('Your workspace Acme is ready');
    expect(text.split('\n')).toContain(`${appUrl}/login?workspace=acme`);
    expect(html).toContain(`<a href="${appUrl}/login?workspace=acme">${appUrl}/login?workspace=acme</a>`);
    for (const url of text.match(URL_PATTERN)!.filter((u) => u.includes('workspace='))) {
      expect(new URL(url).searchParams.get('workspace')).toBe('acme');
    }
  });

  it('a password reset says who sent it when an admin did; the seats email counts one seat as one', () => {
    const asked = renderMail('password-reset', { appUrl, data: samples['password-reset'] }).text;
    expect(asked).toContain('Someone asked to reset the password');
    expect(asked).toContain("If it wasn't you, ignore this email");
    const sent = renderMail('password-reset', { appUrl, data: { ...samples['password-reset'], sentBy: 'Grace Hopper' } }).text;
    expect(sent).toContain('Grace Hopper from Acme sent you a link to set a new password');
    expect(sent).not.toContain('Someone asked');
    expect(sent).not.toContain("If it wasn't you");
    const one = renderMail('seats-changed', { appUrl, data: { tenantName: 'Acme', label: 'Client User', before: 0, after: 1, added: 1 } });
    expect(one.subject).toBe('1 Client User seat is now active in Acme');
    expect(renderMail('seats-changed', { appUrl, data: samples['seats-changed'] }).subject).toBe('3 User seats are now active in Acme');
  });

  it('the inactivity warning signs in to its workspace', () => {
    const { text } = renderMail('inactivity-warning', { appUrl, data: samples['inactivity-warning'] });
    expect(text.split('\n')).toContain(`${appUrl}/login?workspace=acme`);
  });
});

describe('login page: ?workspace= prefill', () => {
  const prefill = async (query: string) => {
    // The page also asks whether the workspace offers single sign-on: here it does not.
    const context = { trpc: { sso: { forWorkspace: async () => null } } } as unknown as LoaderFunctionArgs['context'];
    const response = (await loader({ request: new Request(`http://localhost/login${query}`), params: {}, context })) as Response;
    return ((await response.json()) as { workspace: string }).workspace;
  };

  it.each([
    ['?workspace=acme', 'acme'],
    ['?workspace=acme.', 'acme'],
    ['?workspace=acme..', 'acme'],
    ['?workspace=acme.%20', 'acme'],
    ['?workspace=%20acme%20.%0A', 'acme'],
    ['?workspace=my-team', 'my-team'],
    ['', ''],
  ])('%s prefills %j', async (query, expected) => {
    expect(await prefill(query)).toBe(expected);
  });
});

describe('sign-in redirects stay on this site', () => {
  it.each([
    ['/users?q=a', '/users?q=a'],
    ['/\t/evil.example', '/dashboard'],
    ['/\n/evil.example', '/dashboard'],
    ['/\\evil.example', '/dashboard'],
    ['//evil.example', '/dashboard'],
    ['https://evil.example', '/dashboard'],
    ['/users\\..\\x', '/dashboard'],
  ])('%j goes to %j', (to, expected) => {
    expect(safeRedirect(to)).toBe(expected);
  });
});
