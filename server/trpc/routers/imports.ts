import { getImport, importReport, listImports, previewImport, startImport } from '../../domain/imports/preview';
import { permissionProcedure, router } from '../trpc';
import { importIdInput, listImportsInput, previewImportInput } from '../../contract/imports';

const manage = permissionProcedure('users.manage');

/** SPEC "Bulk import and export": admins with users.manage. */
export const importsRouter = router({
  preview: manage.input(previewImportInput).mutation(({ ctx, input }) => previewImport(ctx.scope, input)),
  start: manage.input(importIdInput).mutation(({ ctx, input }) => startImport(ctx.scope, input)),
  get: manage.input(importIdInput).query(({ ctx, input }) => getImport(ctx, input)),
  rows: manage.input(importIdInput).query(({ ctx, input }) => getImport(ctx, input, true)),
  list: manage.input(listImportsInput).query(({ ctx, input }) => listImports(ctx.trx, input)),
  report: manage.input(importIdInput).query(({ ctx, input }) => importReport(ctx.trx, input)),
});
