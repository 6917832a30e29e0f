import { describe, expect, it } from 'vitest';
import { formatterFor, safeLocale, safeTimeZone, startOfDayIn } from '../server/contract/format';
import { renderMail } from '../server/mail/templates';

// Intl puts a narrow no-break space before AM/PM and plain no-break spaces in French numbers.
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

describe('formatterFor: each person’s time zone and locale (SPEC "Users")', () => {
  const at = '2026-12-01T13:32:00.000Z';

  it.each([
    ['Asia/Tokyo', 'ja-JP', '2026年12月1日 22:32 JST', '1,234,567.5'],
    ['Europe/Paris', 'fr', '1 déc. 2026, 14:32 UTC+1', '1 234 567,5'],
    ['America/New_York', 'en-US', 'Dec 1, 2026, 8:32 AM EST', '1,234,567.5'],
    ['Europe/Berlin', 'de', '1. Dez. 2026, 14:32 MEZ', '1.234.567,5'],
    ['UTC', 'en', 'Dec 1, 2026, 1:32 PM UTC', '1,234,567.5'],
  ])('%s + %s: %s, numbers %s', (timeZone, locale, dateTime, number) => {
    const f = formatterFor({ timeZone, locale });
    expect(plain(f.dateTime(at))).toBe(dateTime);
    expect(plain(f.number(1234567.5))).toBe(number);
  });

  it('the day is the day in the person’s zone: late evening in New York is the next day in Tokyo', () => {
    const late = '2026-12-01T23:30:00.000Z';
    expect(formatterFor({ timeZone: 'America/New_York', locale: 'en-US' }).date(late)).toBe('Dec 1, 2026');
    expect(formatterFor({ timeZone: 'Asia/Tokyo', locale: 'en-US' }).date(late)).toBe('Dec 2, 2026');
    // A UTC day (the seat history's) stays that day whatever the zone, in the person's words.
    expect(formatterFor({ timeZone: 'Asia/Tokyo', locale: 'fr' }).utcDay(late)).toBe('1 déc. 2026');
  });

  it('crosses a DST boundary with the right offset on each side (Europe/Paris, 2026-10-25 01:00 UTC)', () => {
    const f = formatterFor({ timeZone: 'Europe/Paris', locale: 'en-GB' });
    expect(f.dateTime('2026-10-25T00:59:00Z')).toBe('25 Oct 2026, 02:59 CEST');
    expect(f.dateTime('2026-10-25T01:00:00Z')).toBe('25 Oct 2026, 02:00 CET');
    const ny = formatterFor({ timeZone: 'America/New_York', locale: 'en-US' });
    expect(plain(ny.time('2026-03-08T06:59:00Z'))).toBe('1:59 AM EST');
    expect(plain(ny.time('2026-03-08T07:00:00Z'))).toBe('3:00 AM EDT');
  });

  it.each([
    [{ timeZone: 'Mars/Olympus_Mons', locale: 'ja-JP' }, 'UTC', 'ja-JP'],
    [{ timeZone: 'Asia/Tokyo', locale: 'not a locale!' }, 'Asia/Tokyo', 'en-US'],
    [{ timeZone: '', locale: '' }, 'UTC', 'en-US'],
    [{ timeZone: null, locale: undefined }, 'UTC', 'en-US'],
    [null, 'UTC', 'en-US'],
  ])('a stored value the runtime cannot use falls back without throwing: %j → %s / %s', (viewer, timeZone, locale) => {
    const f = formatterFor(viewer);
    expect({ timeZone: f.timeZone, locale: f.locale }).toEqual({ timeZone, locale });
    expect(f.dateTime('2026-12-01T13:32:00Z')).toMatch(/2026/);
  });

  it('an unparseable instant is a dash, never "Invalid Date" or a throw', () => {
    expect(formatterFor(null).dateTime('yesterday')).toBe('—');
  });

  it('checks zones and locales the way the pages need', () => {
    expect(safeTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(safeTimeZone('Nowhere/Else')).toBe('UTC');
    expect(safeLocale('pt-br')).toBe('pt-BR');
    expect(safeLocale('zz')).toBe('en-US');
  });
});

describe('startOfDayIn: a typed day is the person’s own day (sign-in filters)', () => {
  it.each([
    ['2026-12-01', 'Asia/Tokyo', '2026-11-30T15:00:00.000Z'],
    ['2026-12-01', 'UTC', '2026-12-01T00:00:00.000Z'],
    ['2026-03-29', 'Europe/Paris', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Paris', '2026-03-29T22:00:00.000Z'],
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-12-01', 'Not/AZone', '2026-12-01T00:00:00.000Z'],
  ])('%s in %s begins at %s', (day, zone, instant) => {
    expect(startOfDayIn(day, zone).toISOString()).toBe(instant);
  });
});

describe('mail templates in the recipient’s zone and locale', () => {
  const appUrl = 'https://seatwise.example.com';
  const url = `${appUrl}/invite/${'t'.repeat(43)}`;

  it('the invitation gives its expiry in the invitee’s zone and locale', () => {
    const data = { firstName: 'Ada', tenantName: 'Acme', inviter: 'Grace', url, expiresAt: '2026-12-08T13:32:00.000Z' };
    expect(renderMail('invitation', { appUrl, data, format: formatterFor({ timeZone: 'Asia/Tokyo', locale: 'ja-JP' }) }).text).toContain(
      'It works once, for 7 days (until 2026年12月8日 22:32 JST)',
    );
    expect(plain(renderMail('invitation', { appUrl, data }).text)).toContain('(until Dec 8, 2026, 1:32 PM UTC)');
  });

  it('the inactivity warning names the day in the recipient’s zone, and figures use their grouping', () => {
    const format = formatterFor({ timeZone: 'Pacific/Auckland', locale: 'de' });
    const warning = renderMail('inactivity-warning', { appUrl, format, data: { firstName: 'Ada', tenantName: 'Acme', slug: 'acme', days: 1000, deactivateAt: '2027-03-01T20:00:00.000Z' } });
    expect(warning.subject).toBe('Your Acme account will be deactivated on 2. März 2027');
    expect(warning.text).toContain('Accounts unused for 1.000 days');
    expect(warning.text).toContain('sign in before 2. März 2027, 09:00 GMT+13');
  });
});
