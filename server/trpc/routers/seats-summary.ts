import { getSeatSummary } from '../../domain/seats/seat-rule';
import { permissionProcedure } from '../trpc';

export const seatSummaryProcedure = permissionProcedure('users.read').query(({ ctx }) =>
  getSeatSummary({ trx: ctx.trx, tenantId: ctx.tenantId }),
);
