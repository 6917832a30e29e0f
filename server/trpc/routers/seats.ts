import { getSeatSummary } from '../../domain/seats/seat-rule';
import { permissionProcedure, router } from '../trpc';

export const seatsRouter = router({
  summary: permissionProcedure('users.read').query(({ ctx }) => getSeatSummary({ trx: ctx.trx, tenantId: ctx.tenantId })),
});
