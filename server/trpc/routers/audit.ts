import { listAudit } from '../../domain/audit/read';
import { listAuditPeople } from '../../domain/audit/people';
import { permissionProcedure, router } from '../trpc';
import { auditPeopleInput, exportAuditInput, listAuditInput } from '../../contract/audit';
import { collectCsv, streamAuditCsv } from '../../domain/exports/streams';

export const auditRouter = router({
  list: permissionProcedure('audit.read').input(listAuditInput).query(({ ctx, input }) => listAudit(ctx.trx, input)),
  /** The audit filters' suggestions: whoever may read the log sees the names it shows anyway. */
  people: permissionProcedure('audit.read').input(auditPeopleInput).query(({ ctx, input }) => listAuditPeople(ctx.trx, input)),
  export: permissionProcedure('audit.read').input(exportAuditInput).query(({ ctx, input }) => collectCsv((write) => streamAuditCsv(ctx.trx, input, write))),
});
