import { withTenant, type Db, type Trx } from '../../../db/index';
import type { ImportRow } from '../../../db/tables';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import { SEAT_TYPES, type SeatType } from '../../contract/seats';
import { AppError, fromDatabaseError } from '../../shared/errors';
import type { AuditActor } from '../audit/write';
import { writeAudit } from '../audit/write';
import type { Permission } from '../roles/built-in';
import { checkSeatThresholds } from '../seats/alerts';
import { getTenant } from '../tenants/tenants';
import { insertUsers } from '../users/status';
import { cellsOf, classifyRows, mapHeaders, seatShortage, type Classified, type NewUser, type UserChange } from './classify';

/** A run that cannot go ahead: nothing was written, and the import says why. */
class ImportFailure extends Error {
  constructor(
    message: string,
    readonly results?: ImportRow['results'],
  ) {
    super(message);
  }
}

const CHUNK = 2000;

function chunks<T>(items: T[], size: number) {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Progress goes out on its own connection: the run's transaction shows nothing until it commits. */
async function setProgress(db: Db, tenantId: string, id: string, done: number) {
  await withTenant(db, tenantId, (trx) =>
    trx('imports').where({ id }).whereIn('status', ['queued', 'running']).update({ status: 'running', done }),
  );
}

/**
 * Rows whose result changed since the preview in a way the admin did not agree to: a new user
 * whose email (or user name) was taken meanwhile, or a row that is now an error.
 */
function driftSincePreview(previewed: ImportRow['results'], now: Classified['results']) {
  const before = new Map(previewed.map((r) => [r.line, r.result]));
  return now
    .map((r) => {
      const was = before.get(r.line);
      if (r.result === 'error') return r;
      if (was === 'new' && r.result !== 'new') {
        return { ...r, result: 'error' as const, errors: [{ field: 'email', message: 'This email was taken since the preview' }] };
      }
      return null;
    })
    .filter((r) => r !== null);
}

/** One audit row per user in one statement (SPEC: one event per user created or changed). */
async function auditMany(trx: Trx, tenantId: string, actor: AuditActor, now: Date, action: string, events: { id: string; before: unknown; after: unknown }[]) {
  await trx.raw(
    `insert into audit_events (tenant_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, created_at)
     select :tenantId, :actorType, :actorId, :actorLabel, :action, 'user', x.id, x.before, x.after, :now
     from jsonb_to_recordset(cast(:events as jsonb)) as x(id text, before jsonb, after jsonb)`,
    { tenantId, actorType: actor.type, actorId: actor.id ?? null, actorLabel: actor.label ?? null, action, now, events: JSON.stringify(events) },
  );
}

async function createUsers(trx: Trx, tenantId: string, actor: AuditActor, now: Date, rows: NewUser[], invitations: { send: boolean; tenant: { name: string; slug: string }; inviter: string }, jobs: JobSender) {
  const created = await insertUsers({ trx, tenantId, actor, now, reason: 'imported' }, rows);
  const roleOf = new Map(rows.map((r) => [r.email.toLowerCase(), r.roleName]));
  await auditMany(trx, tenantId, actor, now, 'user.created', created.map((u) => ({ id: u.id, before: null, after: { email: u.email, kind: u.kind, status: u.status, role: roleOf.get(u.email.toLowerCase()), via: 'import' } })));
  if (invitations.send) {
    await jobs.many(
      trx,
      emailSend,
      created
        .filter((u) => u.kind !== 'api')
        .map((u) => ({
          to: u.email,
          template: 'invitation',
          tenantId,
          data: { firstName: u.firstName, tenantName: invitations.tenant.name, slug: invitations.tenant.slug, inviter: invitations.inviter },
          link: { purpose: 'invitation', userId: u.id },
        })),
    );
  }
  return created;
}

async function updateUsers(trx: Trx, tenantId: string, actor: AuditActor, now: Date, changes: UserChange[]) {
  const data = changes.map((c) => ({ id: c.id, ...c.after }));
  await trx.raw(
    `update users u set
       first_name = coalesce(x."firstName", u.first_name), last_name = coalesce(x."lastName", u.last_name),
       display_name = coalesce(x."displayName", u.display_name), user_name = coalesce(x."userName", u.user_name),
       time_zone = coalesce(x."timeZone", u.time_zone), locale = coalesce(x.locale, u.locale),
       saml_name_id = coalesce(x."samlNameId", u.saml_name_id), role_id = coalesce(x."roleId", u.role_id), updated_at = :now
     from jsonb_to_recordset(cast(:data as jsonb)) as x(id uuid, "firstName" text, "lastName" text, "displayName" text, "userName" text,
          "timeZone" text, locale text, "samlNameId" text, "roleId" uuid)
     where u.id = x.id and u.tenant_id = :tenantId`,
    { now, tenantId, data: JSON.stringify(data) },
  );
  // SPEC "Sign-in": a role change ends the user's sessions at once.
  const roleChanged = changes.filter((c) => 'roleId' in c.after).map((c) => c.id);
  if (roleChanged.length) await trx('sessions').whereIn('userId', roleChanged).delete();
  await auditMany(trx, tenantId, actor, now, 'user.updated', changes.map((c) => ({ id: c.id, before: c.before, after: { ...c.after, via: 'import' } })));
}

export type RunImportOptions = {
  db: Db;
  jobs: JobSender;
  tenantId: string;
  importId: string;
  now?: () => Date;
  /** Runs after each chunk is written, inside the transaction (tests stop a run half done with it). */
  afterChunk?: (done: number) => Promise<void>;
  /** Users written per statement (tests use small chunks to stop a run between two). */
  chunkSize?: number;
};

/**
 * SPEC "Run": one transaction. The seat pools are locked first (every kind, in one order, as the
 * seat rule locks them), then every row is checked again against the workspace as it is, and the
 * seats for all new users of a kind are claimed at once. Writes are set-based, a chunk at a time.
 * Idempotent: a run that committed marks the import done, and a rerun of it does nothing.
 */
export async function runImport({ db, jobs, tenantId, importId, now: clock = () => new Date(), afterChunk, chunkSize = CHUNK }: RunImportOptions) {
  const now = clock();
  let failure: ImportFailure | null = null;
  const outcome = await withTenant(db, tenantId, async (trx) => {
    // Two deliveries of the same job (one expired but still alive) take turns.
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [importId]);
    const row = await trx('imports').where({ id: importId }).first();
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return { skipped: true as const, status: row?.status };
    await setProgress(db, tenantId, importId, 0);
    await trx('seat_pools').where({ tenantId }).orderBy('seatType').forUpdate().select('seatType');

    const creator = row.createdBy
      ? await trx('users as u').join('roles as r', 'r.id', 'u.roleId').where('u.id', row.createdBy).first('u.displayName', 'r.permissions', 'u.status')
      : undefined;
    const permissions = new Set<Permission>(creator?.status === 'active' ? creator.permissions : []);
    const actor: AuditActor = row.createdBy ? { type: 'user', id: row.createdBy, label: row.createdByLabel ?? undefined } : { type: 'worker', label: 'import' };
    const mapping = mapHeaders(row.headers, Object.fromEntries(row.mapping.map((m) => [m.header, m.field ?? 'ignore'])));
    const classified = await classifyRows({ trx, tenantId, rows: cellsOf({ headers: row.headers, rows: row.cells }, mapping), updateExisting: row.updateExisting, permissions });
    try {
      const drift = driftSincePreview(row.results, classified.results);
      if (drift.length) {
        const first = drift.slice(0, 3).map((r) => `line ${r.line}: ${(r.errors ?? []).map((e) => `${e.field}: ${e.message}`).join(', ')}`);
        const merged = classified.results.map((r) => drift.find((d) => d.line === r.line) ?? r);
        throw new ImportFailure(`Nothing was imported: ${drift.length} ${drift.length === 1 ? 'row fails' : 'rows fail'} now (${first.join('; ')}${drift.length > 3 ? '; …' : ''}). Preview the file again.`, merged);
      }
      const short = seatShortage(classified.seats);
      if (short.length) throw new ImportFailure(`Nothing was imported. ${short.map((s) => s.message).join(' ')}`);

      const tenant = await getTenant({ trx, tenantId });
      const unchanged = classified.counts.unchanged;
      let done = unchanged;
      for (const part of chunks(classified.creates, chunkSize)) {
        await createUsers(trx, tenantId, actor, now, part, { send: row.sendInvitations, tenant, inviter: creator?.displayName ?? 'Your administrator' }, jobs);
        done += part.length;
        await setProgress(db, tenantId, importId, done);
        await afterChunk?.(done);
      }
      for (const part of chunks(classified.changes, chunkSize)) {
        await updateUsers(trx, tenantId, actor, now, part);
        done += part.length;
        await setProgress(db, tenantId, importId, done);
        await afterChunk?.(done);
      }
      await writeAudit({
        trx,
        tenantId,
        actor,
        action: 'users.imported',
        target: { type: 'import', id: importId },
        after: { ...classified.counts, total: row.total, invitations: row.sendInvitations ? 'sent' : 'held' },
        at: now,
      });
      for (const seatType of SEAT_TYPES as readonly SeatType[]) {
        if (classified.seats[seatType].needed) await checkSeatThresholds({ trx, tenantId, seatType, jobs });
      }
      await trx('imports')
        .where({ id: importId })
        .update({ status: 'done', done: row.total, results: JSON.stringify(classified.results), counts: JSON.stringify(classified.counts), seats: JSON.stringify(classified.seats), message: null, finishedAt: clock() });
      return { skipped: false as const, status: 'done' as const, counts: classified.counts };
    } catch (error) {
      if (error instanceof ImportFailure) failure = error;
      else {
        // A user or user name taken between our check and our insert: the unique index says so.
        const known = fromDatabaseError(error);
        if (known instanceof AppError && known.code === 'CONFLICT') failure = new ImportFailure(`Nothing was imported: ${known.message.toLowerCase()} (taken since the preview). Preview the file again.`);
      }
      throw error;
    }
  }).catch((error: unknown) => {
    if (failure) return null;
    throw error;
  });
  if (outcome) return outcome;
  const failed = failure as unknown as ImportFailure;
  await withTenant(db, tenantId, (trx) =>
    trx('imports')
      .where({ id: importId })
      .update({ status: 'failed', done: 0, message: failed.message, finishedAt: clock(), ...(failed.results ? { results: JSON.stringify(failed.results) } : {}) }),
  );
  return { skipped: false as const, status: 'failed' as const, message: failed.message };
}
