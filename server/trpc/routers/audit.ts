import { listAudit } from '../../domain/audit/read';
import { permissionProcedure, router } from '../trpc';
import { exportAuditInput, listAuditInput } from '../../contract/audit';
import { collectCsv, streamAuditCsv } from '../../domain/exports/streams';

export const auditRouter = router({
  list: permissionProcedure('audit.read').input(listAuditInput).query(({ ctx, input }) => listAudit(ctx.trx, input)),
  export: permissionProcedure('audit.read').input(exportAuditInput).query(({ ctx, input }) => collectCsv((write) => streamAuditCsv(ctx.trx, input, write))),
});
