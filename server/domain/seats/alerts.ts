import type { Trx } from '../../../db/index';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import { usersWithPermission } from '../roles/built-in';
import { SEAT_LABELS as LABEL, type SeatType } from '../../contract/seats';
import { getTenant } from '../tenants/tenants';
import { countSeatHolders } from './seat-rule';

const THRESHOLDS = [100, 80];

/** Who hears about seats: active users whose role may manage billing. */
export const billingAdmins = (trx: Trx, tenantId: string) => usersWithPermission(trx, tenantId, 'billing.manage');

/**
 * One email per crossing of 80 % and of 100 % used, not one per user: the pool remembers the
 * highest threshold it announced and forgets it when usage falls back below.
 */
export async function checkSeatThresholds({
  trx,
  tenantId,
  seatType,
  jobs,
  used: known,
}: {
  trx: Trx;
  tenantId: string;
  seatType: SeatType;
  jobs: JobSender;
  /** Seats in use, when the caller has just counted them under the pool lock. */
  used?: number;
}) {
  const pool = await trx('seat_pools').where({ tenantId, seatType }).forUpdate().first('purchased', 'alertedPercent');
  if (!pool) return;
  const used =
    known ??
(await countSeatHolders(trx, tenantId, seatType));
  const percent = pool.purchased === 0 ? (used > 0 ? 100 : 0) : (used / pool.purchased) * 100;
  const level = THRESHOLDS.find((t) => percent >= t) ?? 0;
  if (level === pool.alertedPercent || pool.purchased === 0) {
    if (level !== pool.alertedPercent) await trx('seat_pools').where({ tenantId, seatType }).update({ alertedPercent: level });
    return;
  }
  await trx('seat_pools').where({ tenantId, seatType }).update({ alertedPercent: level });
  if (level < pool.alertedPercent) return;
  const tenant = await getTenant({ trx, tenantId });
  const admins = await billingAdmins(trx, tenantId);
  await jobs.many(
    trx,
    emailSend,
    admins.map((a) => ({
      to: a.email,
      template: 'seat-threshold',
      tenantId,
      data: { tenantName: tenant.name, label: LABEL[seatType], percent: level, used, purchased: pool.purchased },
    })),
  );
}
