import { withTenant, type Db, type Trx } from '../../../db/index';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import { usersWithPermission } from '../roles/built-in';
import { checkSeatThresholds } from '../seats/alerts';
import { SEAT_TYPES } from '../../contract/seats';
import { MAY_RESET_PASSWORD, SYSTEM_TRANSITIONS, WARNED_BEFORE_SWEEP } from '../../contract/statuses';
import { deactivateForInactivity } from './status';

/**
 * SPEC §6 and seeds/004: users whose last activity (sign-in, API key use, invitation acceptance;
 * creation if none) is older than the tenant's inactivityDays become deactivated. Never the
 * break-glass accounts an admin exempted, and never the workspace's last active Owner: the most
 * recently active active Owner is always kept.
 */
const STALE = `
    users.tenant_id = :tenantId
    and users.status::text = any(string_to_array(:from, ','))
    and not users.exempt_from_inactivity
    and not users.is_system
    and coalesce(users.last_activity_at, users.created_at) < :cutoff
    and users.id is distinct from (
      -- The Owner kept: the most recently active active one, else (all locked) the most recently
      -- active locked one, who can still reset a password. Never none.
      select o.id from users o join roles r on r.id = o.role_id
      where o.tenant_id = :tenantId and r.key = 'owner' and o.status::text = any(string_to_array(:ownerCanReturn, ','))
      order by o.status = 'active' desc, coalesce(o.last_activity_at, o.created_at) desc, o.id
      limit 1
    )`;

const staleUsers = (trx: Trx, tenantId: string, cutoff: Date) =>
  trx.raw(STALE, { tenantId, cutoff, from: SYSTEM_TRANSITIONS.sweep.from.join(','), ownerCanReturn: MAY_RESET_PASSWORD.join(',') });

const DAY = 86_400_000;
const SUMMARY_NAMES = 100;

type Tenant = { id: string; name: string; slug: string; inactivityDays: number; inactivityWarningDays: number };

async function tenantsWithSweep(db: Db | Trx, tenantId?: string): Promise<Tenant[]> {
  return db('tenants')
    .where('inactivityDays', '>', 0)
    .modify((q) => (tenantId ? q.where({ id: tenantId }) : q))
    .select('id', 'name', 'slug', 'inactivityDays', 'inactivityWarningDays');
}

/**
 * One transaction per tenant: the status module's set-based deactivation (audit, sessions, keys,
 * links in one statement), then the warnings and one summary email. A crash rolls
 * back the tenant in progress; the rerun finds exactly the users still to do.
 */
export async function sweepTenant({ db, jobs, tenant, now }: { db: Db; jobs: JobSender; tenant: Tenant; now: Date }) {
  return withTenant(db, tenant.id, async (trx) => {
    const cutoff = new Date(now.getTime() - tenant.inactivityDays * DAY);
    const reason = `Inactive for ${tenant.inactivityDays} days`;
    const deactivated = await deactivateForInactivity({ trx, tenantId: tenant.id, which: staleUsers(trx, tenant.id, cutoff), reason, now });

    if (deactivated.length) {
      const admins = await usersWithPermission(trx, tenant.id, 'users.manage');
      // The email names the first hundred; the Users page filtered on deactivated shows them all.
      const users = deactivated.slice(0, SUMMARY_NAMES).map((u) => ({
        name: u.displayName,
        email: u.email,
        // An instant: the template words it in each admin's own zone and locale (SPEC "Users").
        lastActivity: u.lastActivity.toISOString(),
      }));
      await jobs.many(
        trx,
        emailSend,
        admins.map((a: { email: string }) => ({
          to: a.email,
          template: 'inactivity-summary',
          tenantId: tenant.id,
          data: { tenantName: tenant.name, days: tenant.inactivityDays, users, total: deactivated.length },
        })),
      );
      for (const seatType of SEAT_TYPES) {
        if (deactivated.some((u) => u.kind === seatType)) await checkSeatThresholds({ trx, tenantId: tenant.id, seatType, jobs });
      }
    }

    const warned = await warnSoonInactive({ trx, jobs, tenant, now });
    return { deactivated: deactivated.length, warned };
  });
}

/** Users whose deactivation date is within the warning window, who were not warned since their last activity. */
const WARN_USERS = `
  select u.id, u.email, u.first_name, coalesce(u.last_activity_at, u.created_at) as last_activity
  from users u
  where u.tenant_id = :tenantId
    and u.status::text = any(string_to_array(:warned, ','))
    and u.kind <> 'api'
    and not u.exempt_from_inactivity
    and coalesce(u.last_activity_at, u.created_at) < :warnCutoff
    and coalesce(u.last_activity_at, u.created_at) >= :cutoff
    and (u.inactivity_warned_at is null or u.inactivity_warned_at < coalesce(u.last_activity_at, u.created_at))`;

async function warnSoonInactive({ trx, jobs, tenant, now }: { trx: Trx; jobs: JobSender; tenant: Tenant; now: Date }) {
  if (tenant.inactivityWarningDays <= 0) return 0;
  const cutoff = new Date(now.getTime() - tenant.inactivityDays * DAY);
  const warnCutoff = new Date(cutoff.getTime() + tenant.inactivityWarningDays * DAY);
  const { rows } = await trx.raw<{ rows: { email: string; first_name: string; last_activity: Date }[] }>(
    `update users set inactivity_warned_at = :now from (${WARN_USERS}) w where users.id = w.id
     returning w.email, w.first_name, w.last_activity`,
    { tenantId: tenant.id, cutoff, warnCutoff, now, warned: WARNED_BEFORE_SWEEP.join(',') },
  );
  await jobs.many(
    trx,
    emailSend,
    rows.map((u) => ({
      to: u.email,
      template: 'inactivity-warning',
      tenantId: tenant.id,
      data: {
        firstName: u.first_name,
        tenantName: tenant.name,
        slug: tenant.slug,
        days: tenant.inactivityDays,
        deactivateAt: new Date(u.last_activity.getTime() + tenant.inactivityDays * DAY).toISOString(),
      },
    })),
  );
  return rows.length;
}

/**
 * The whole sweep: every tenant with the policy on, each in its own transaction. Tenants share
 * nothing, so `concurrency` of them run at once (one connection each).
 */
export async function runInactivitySweep({
  db,
  jobs,
  now,
  concurrency = 2,
  afterTenant,
}: {
  db: Db;
  jobs: JobSender;
  now: Date;
  concurrency?: number;
  /** Runs after each tenant commits: lets a test hold a sweep half done, deterministically. */
  afterTenant?: () => Promise<void>;
}) {
  const totals = { tenants: 0, deactivated: 0, warned: 0 };
  const queue = await tenantsWithSweep(db);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
        const result = await sweepTenant({ db, jobs, tenant, now });
        totals.tenants += 1;
        totals.deactivated += result.deactivated;
        totals.warned += result.warned;
        await afterTenant?.();
      }
    }),
  );
  return totals;
}

export type PreviewUser = { id: string; email: string; name: string; lastActivity: Date; deactivationDate: Date };

/** What the next run would do in this tenant, for the settings panel (read-only, RLS applies). */
export async function previewInactivity({ trx, tenantId, now, inactivityDays, inactivityWarningDays }: { trx: Trx; tenantId: string; now: Date; inactivityDays?: number; inactivityWarningDays?: number }) {
  const [tenant] = await tenantsWithSweepOrAny(trx, tenantId);
  const days = inactivityDays ?? tenant.inactivityDays;
  const warnDays = inactivityWarningDays ?? tenant.inactivityWarningDays;
  const none: PreviewUser[] = [];
  if (days <= 0) return { inactivityDays: days, inactivityWarningDays: warnDays, deactivate: none, warn: none };
  const cutoff = new Date(now.getTime() - days * DAY);
  const warnCutoff = new Date(cutoff.getTime() + warnDays * DAY);
  type Row = { id: string; email: string; display_name?: string; first_name?: string; last_activity: Date };
  const { rows: deactivate } = await trx.raw<{ rows: Row[] }>(
    `select id, email, display_name, coalesce(last_activity_at, created_at) as last_activity from users where ? order by last_activity`,
    [staleUsers(trx, tenantId, cutoff)],
  );
  const { rows: warn } = warnDays > 0 ? await trx.raw<{ rows: Row[] }>(`${WARN_USERS} order by last_activity`, { tenantId, cutoff, warnCutoff, warned: WARNED_BEFORE_SWEEP.join(',') }) : { rows: [] };
  const shape = (u: Row): PreviewUser => ({
    id: u.id,
    email: u.email,
    name: u.display_name ?? u.first_name ?? u.email,
    lastActivity: u.last_activity,
    deactivationDate: new Date(u.last_activity.getTime() + days * DAY),
  });
  return { inactivityDays: days, inactivityWarningDays: warnDays, deactivate: deactivate.map(shape), warn: warn.map(shape) };
}

function tenantsWithSweepOrAny(trx: Trx, tenantId: string) {
  return trx('tenants').where({ id: tenantId }).select('id', 'inactivityDays', 'inactivityWarningDays');
}
