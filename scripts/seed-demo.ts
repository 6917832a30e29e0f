import pino from 'pino';
import { createDb, WEB_ROLE, withTenant, type Db } from '../db/index';
import { writeAudit } from '../server/domain/audit/write';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import type { SeatType } from '../server/contract/seats';
import { createJobSender, type JobSender } from '../server/jobs/index';
import { parseEnv } from '../server/shared/env';
import { createContext, type CookieJar, type Deps } from '../server/trpc/context';
import { createCaller } from '../server/trpc/router';

export const DEMO = { slug: 'demo', email: 'owner@demo.test', password: 'demo-password-1234' };

/** Every demo person who signs in has this password (the owner has DEMO.password). */
const PEOPLE_PASSWORD = 'demo-people-password-1234';

/**
 * Seats bought on top of the included ones, as one live subscription per seat type would give.
 * There is no Stripe behind them: the seed writes what the `stripe.event` job writes (a
 * subscription row, the seat pool's `subscribed`, a ledger row and an audit row), so a later real
 * purchase in the emulator adds to these seats instead of replacing them.
 */
const PURCHASE: Record<SeatType, number> = { standard: 12, client: 5, api: 2 };

type Person = { key: string; kind: SeatType; firstName: string; lastName: string; role?: string; accept?: boolean };

/** About a dozen users, so that every status and kind shows up in the list (SPEC "Status and seats"). */
const PEOPLE: Person[] = [
  { key: 'alex', kind: 'standard', firstName: 'Alex', lastName: 'Admin', role: 'admin', accept: true },
  { key: 'sam', kind: 'standard', firstName: 'Sam', lastName: 'Member', accept: true },
  { key: 'priya', kind: 'standard', firstName: 'Priya', lastName: 'Support', role: 'support', accept: true },
  { key: 'ivan', kind: 'standard', firstName: 'Ivan', lastName: 'Invited' },
  { key: 'sue', kind: 'standard', firstName: 'Sue', lastName: 'Suspended', accept: true },
  { key: 'leo', kind: 'standard', firstName: 'Leo', lastName: 'Locked', accept: true },
  { key: 'dee', kind: 'standard', firstName: 'Dee', lastName: 'Departed', accept: true },
  { key: 'ben', kind: 'standard', firstName: 'Ben', lastName: 'Banned', accept: true },
  { key: 'carla', kind: 'client', firstName: 'Carla', lastName: 'Client', accept: true },
  { key: 'cory', kind: 'client', firstName: 'Cory', lastName: 'Customer' },
  { key: 'crm', kind: 'api', firstName: 'CRM', lastName: 'Sync', role: 'integration' },
];
const emailOf = (key: string) => `${key}@demo.test`;

/** Sign-ins come from documentation addresses (RFC 5737), so the login history shows several places. */
const IPS = ['203.0.113.10', '198.51.100.23', '192.0.2.44', '203.0.113.77'];
const BROWSERS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];

function memoryCookies(): CookieJar {
  const values = new Map<string, string>();
  return { get: (name) => values.get(name), set: (name, value) => void values.set(name, value), clear: (name) => void values.delete(name) };
}

/**
 * Invitations go out for the two people who stay invited. The others accept at once below, as if
 * they had clicked their link; their invitation emails would only carry a dead link.
 */
function demoJobs(accepted: Set<string>): JobSender {
  const real = createJobSender();
  const keep = (payload: unknown) => {
    const mail = payload as { to?: string; link?: { purpose?: string } };
    return !(mail.link?.purpose === 'invitation' && mail.to && accepted.has(mail.to));
  };
  const send = (async (trx, job, payload) => (keep(payload) ? real(trx, job, payload) : 'skipped')) as JobSender;
  send.many = (trx, job, payloads) => real.many(trx, job, payloads.filter(keep));
  return send;
}

async function purchaseSeats(owner: Db, tenantId: string, now: Date) {
  await withTenant(owner, tenantId, async (trx) => {
    const pools = await trx('seat_pools').where({ tenantId }).forUpdate().select('seatType', 'included', 'subscribed', 'purchased');
    for (const pool of pools) {
      const quantity = PURCHASE[pool.seatType as SeatType];
      if (!quantity) continue;
      const subscribed = pool.subscribed + quantity;
      const after = pool.included + subscribed;
      await trx('subscriptions').insert({ id: `sub_demo_${pool.seatType}`, tenantId, status: 'active', seatType: pool.seatType, priceId: null, quantity, createdAt: now, updatedAt: now });
      await trx('seat_pools').where({ tenantId, seatType: pool.seatType }).update({ subscribed, updatedAt: now });
      await trx('seat_ledger').insert({ tenantId, seatType: pool.seatType, purchasedBefore: pool.purchased, purchasedAfter: after, reason: 'demo seed', createdAt: now });
      await writeAudit({
        trx,
        tenantId,
        actor: { type: 'system', label: 'db:seed' },
        action: 'seats.changed',
        target: { type: 'seat_pool', id: pool.seatType },
        before: { purchased: pool.purchased },
        after: { purchased: after },
        at: now,
      });
    }
  });
}

/**
 * A workspace to click around in: seats bought, about a dozen users in every status and kind, a
 * custom role, an API key, sign-ins (good and bad) and the audit trail they leave. Everything but
 * the seat purchase goes through the same tRPC procedures the screens call, so the seat ledger,
 * seat holdings, login history and audit log are the real ones. Idempotent: does nothing when the
 * workspace exists.
 */
export async function seedDemo(url: string, { log = console.log }: { log?: (message: string) => void } = {}) {
  const env = parseEnv({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const owner = createDb(url, { max: 2 });
  const web = createDb(url, { role: WEB_ROLE, max: 4 });
  try {
    if (await owner('tenants').where({ slug: DEMO.slug }).first('id')) {
      log(`Workspace "${DEMO.slug}" exists already (nothing changed): sign in as ${DEMO.email} with password ${DEMO.password}`);
      return { created: false };
    }
    const accepted = new Set(PEOPLE.filter((p) => p.accept).map((p) => emailOf(p.key)));
    const deps: Deps = { env, db: web, ownerDb: owner, jobs: demoJobs(accepted), stripe: null, log: pino({ level: 'silent' }), now: () => new Date() };
    let visit = 0;
    const caller = async (cookies: CookieJar = memoryCookies()) => {
      visit += 1;
      const meta = { ip: IPS[visit % IPS.length], userAgent: BROWSERS[visit % BROWSERS.length] };
      return createCaller(await createContext(deps, { meta, cookies }));
    };
    const signIn = async (email: string, password: string) => {
      const cookies = memoryCookies();
      await (await caller(cookies)).auth.login({ workspace: DEMO.slug, email, password });
      return caller(cookies);
    };
    const failSignIn = (email: string, password: string) =>
      caller().then((c) => c.auth.login({ workspace: DEMO.slug, email, password }).then(() => Promise.reject(new Error(`${email} signed in with a wrong password`)), () => undefined));

    // The workspace and its owner, as the sign-up page makes them.
    const ownerCookies = memoryCookies();
    const { tenant } = await (await caller(ownerCookies)).auth.signup({ companyName: 'Demo Company', slug: DEMO.slug, firstName: 'Dana', lastName: 'Demo', email: DEMO.email, password: DEMO.password });
    const dana = await caller(ownerCookies);

    await purchaseSeats(owner, tenant.id, new Date());

    const support = await dana.roles.create({ name: 'Support agent', audience: 'internal', permissions: ['users.read', 'audit.read'] });
    const roles = new Map((await dana.roles.list()).map((r) => [r.key ?? 'support', r.id]));
    roles.set('support', support.id);

    const ids = new Map<string, string>();
    for (const person of PEOPLE) {
      const user = await dana.users.create({ kind: person.kind, email: emailOf(person.key), firstName: person.firstName, lastName: person.lastName, roleId: person.role ? roles.get(person.role) : undefined });
      ids.set(person.key, user.id);
      if (!person.accept) continue;
      // What the invitation link does: a one-time token, then the invitee's own password.
      const token = await withTenant(web, tenant.id, (trx) => issueOneTimeToken({ trx, tenantId: tenant.id, userId: user.id, purpose: 'invitation', now: new Date() }));
      await (await caller()).auth.acceptInvite({ token, password: PEOPLE_PASSWORD });
    }

    // Sign-ins, good and bad, for the login history.
    await signIn(DEMO.email, DEMO.password);
    for (const key of ['alex', 'sam', 'priya', 'carla', 'sue', 'dee', 'ben']) await signIn(emailOf(key), PEOPLE_PASSWORD);
    await failSignIn(emailOf('sam'), 'a mistyped password');
    await failSignIn('nobody@demo.test', PEOPLE_PASSWORD);
    await failSignIn(emailOf('crm'), PEOPLE_PASSWORD);
    // Leo forgets his password until the workspace's lockout threshold locks him out.
    const { lockoutThreshold } = (await owner('tenants').where({ id: tenant.id }).first('lockoutThreshold'))!;
    for (let attempt = 0; attempt < lockoutThreshold; attempt++) await failSignIn(emailOf('leo'), `not-my-password-${attempt}`);

    // The admin screens' status changes, with their reasons.
    const alex = await signIn(emailOf('alex'), PEOPLE_PASSWORD);
    await alex.users.setStatus({ id: ids.get('sue')!, status: 'suspended', reason: 'On leave until the end of the quarter' });
    await alex.users.setStatus({ id: ids.get('dee')!, status: 'deactivated', reason: 'Left the company' });
    await dana.users.setStatus({ id: ids.get('ben')!, status: 'banned', reason: 'Shared his account with someone outside the company' });
    await failSignIn(emailOf('sue'), PEOPLE_PASSWORD);

    // The integration's key: its plaintext is shown once, here, as on the screen.
    const key = await dana.apiKeys.create({ userId: ids.get('crm')!, name: 'CRM nightly sync' });
    await dana.users.update({ id: ids.get('priya')!, displayName: 'Priya (Support)' });

    log(`Workspace "${DEMO.slug}": sign in as ${DEMO.email} with password ${DEMO.password}`);
    log(`  ${PEOPLE.length + 1} users in every status and kind; the others who can sign in use password ${PEOPLE_PASSWORD}`);
    log(`  API key of the CRM Sync user (shown only now): ${key.key}`);
    return { created: true, tenantId: tenant.id };
  } finally {
    await Promise.all([owner.destroy(), web.destroy()]);
  }
}
