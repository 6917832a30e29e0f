import { seatHistoryInput, seatHoldersInput } from '../../contract/seat-history';
import { seatHistory, seatHolders } from '../../domain/seats/history';
import { getSeatSummary } from '../../domain/seats/seat-rule';
import { permissionProcedure, router } from '../trpc';

const read = permissionProcedure('users.read');

export const seatsRouter = router({
  summary: read.query(({ ctx }) => getSeatSummary({ trx: ctx.trx, tenantId: ctx.tenantId })),
  history: read.input(seatHistoryInput).query(({ ctx, input }) => seatHistory(ctx.trx, ctx.tenantId, input)),
  holders: read.input(seatHoldersInput).query(({ ctx, input }) => seatHolders(ctx.trx, ctx.tenantId, input)),
});
