import { randomUUID } from 'node:crypto';
import { withTenant, type Db } from '../../../db/index';
import type { Env } from '../../shared/env';
import type { JobSender } from '../../jobs/index';
import { emailSend } from '../../jobs/email-send';
import type { SignupInput } from '../../contract/auth';
import { writeAudit } from '../audit/write';
import type { RequestMeta } from '../scope';
import { hashPassword } from '../auth/passwords';
import { hitRateLimit, RATE_LIMITS } from '../rate-limits';
import { createBuiltInRoles } from '../roles/built-in';
import { SEAT_TYPES } from '../../contract/seats';
import { createSession } from '../auth/sessions';
import { TENANT_COLUMNS } from './tenants';
import { insertUser } from '../users/status';

/**
 * SPEC "Tenants and seat pools": a new workspace, its seat pools with the included seats, the
 * built-in roles, its Owner, the audit event and the welcome email: all or nothing.
 */
export async function signup({
  db,
  env,
  jobs,
  now,
  meta,
  input,
}: {
  db: Db;
  env: Env;
  jobs: JobSender;
  now: Date;
  meta: RequestMeta;
  input: SignupInput;
}) {
  // Counted before the costly hash, and kept even when the sign-up then fails.
  await hitRateLimit({ db, now, subject: meta.ip ?? 'unknown', limit: RATE_LIMITS.signup(env) });
  const passwordHash = await hashPassword(input.password);
  const tenantId = randomUUID();
  const included = { standard: env.INCLUDED_SEATS_STANDARD, client: env.INCLUDED_SEATS_CLIENT, api: env.INCLUDED_SEATS_API };

  return withTenant(db, tenantId, async (trx) => {
    const [tenant] = await trx('tenants')
      .insert({ id: tenantId, slug: input.slug, name: input.companyName, createdAt: now, updatedAt: now })
      .returning(TENANT_COLUMNS);
    await trx('seat_pools').insert(SEAT_TYPES.map((seatType) => ({ tenantId, seatType, included: included[seatType] })));
    const roleIds = await createBuiltInRoles({ trx, tenantId });
    // The owner signs themselves up: they are the actor of their own first seat.
    const ownerId = randomUUID();
    const user = await insertUser(
      { trx, tenantId, actor: { type: 'user', id: ownerId, label: input.email }, now },
      {
        id: ownerId,
        kind: 'standard',
        hasPassword: true,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        displayName: `${input.firstName} ${input.lastName}`,
        roleId: roleIds.get('owner'),
        passwordHash,
        lastSignInAt: now,
        lastActivityAt: now,
      },
    );
    await writeAudit({
      trx,
      tenantId,
      actor: { type: 'user', id: user.id, label: user.email },
      action: 'tenant.created',
      target: { type: 'tenant', id: tenantId },
      after: { slug: tenant.slug, name: tenant.name, includedSeats: included, owner: user.email },
      ip: meta.ip,
      at: now,
    });
    await jobs(trx, emailSend, {
      to: user.email,
      template: 'welcome',
      tenantId,
      data: { firstName: user.firstName, tenantName: tenant.name, slug: tenant.slug, includedSeats: included.standard },
    });
    const session = await createSession({ trx, tenantId, userId: user.id, ip: meta.ip, userAgent: meta.userAgent, now });
    return { tenant, user, session };
  });
}
