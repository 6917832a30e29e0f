import { listAudit } from '../../domain/audit-read';
import { permissionProcedure, router } from '../../trpc/trpc';
import { listAuditInput } from './audit.types';

export const auditRouter = router({
  list: permissionProcedure('audit.read').input(listAuditInput).query(({ ctx, input }) => listAudit(ctx.trx, input)),
});
