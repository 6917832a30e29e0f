import { getSeatSummary } from '../../domain/seats';
import { permissionProcedure } from '../../trpc/trpc';

export const seatSummaryProcedure = permissionProcedure('users.read').query(({ ctx }) =>
  getSeatSummary({ trx: ctx.trx, tenantId: ctx.tenantId }),
);
