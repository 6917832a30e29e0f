import { listAudit } from '../../domain/audit/read';
import { permissionProcedure, router } from '../trpc';
import { listAuditInput } from '../../contract/audit';

export const auditRouter = router({
  list: permissionProcedure('audit.read').input(listAuditInput).query(({ ctx, input }) => listAudit(ctx.trx, input)),
});
