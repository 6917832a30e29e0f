import { previewInactivity } from '../../domain/users/inactivity';
import { setUserRole } from '../../domain/users/role';
import { bulkResendInvitation, bulkSetStatus } from '../../domain/users/bulk';
import { changeStatusByAdmin } from '../../domain/users/status';
import { createUser } from '../../domain/users/create';
import { getUser, getUserPermissions, listLoginHistory, listUsers } from '../../domain/users/read';
import { requirePasswordChange, resendInvitation, sendPasswordResetFor, updateUser } from '../../domain/users/update';
import { collectCsv, streamLoginHistoryCsv, streamUsersCsv } from '../../domain/exports/streams';
import { permissionProcedure, router } from '../trpc';
import {
  bulkResendInvitationInput,
  bulkSetStatusInput,
  createUserInput,
  exportLoginHistoryInput,
  exportUsersInput,
  inactivityPreviewInput,
  listUsersInput,
  loginHistoryInput,
  requirePasswordChangeInput,
  setRoleInput,
  setStatusInput,
  updateUserInput,
  userId,
} from '../../contract/users';

const read = permissionProcedure('users.read');
const manage = permissionProcedure('users.manage');

/** Each procedure unpacks ctx and input and calls one domain function (STYLE §2). */
export const usersRouter = router({
  list: read.input(listUsersInput).query(({ ctx, input }) => listUsers(ctx.trx, input)),
  get: read.input(userId).query(({ ctx, input }) => getUser(ctx.trx, input.id)),
  permissions: read.input(userId).query(({ ctx, input }) => getUserPermissions(ctx.trx, input.id)),
  loginHistory: read.input(loginHistoryInput).query(({ ctx, input }) => listLoginHistory(ctx.trx, input)),
  export: read.input(exportUsersInput).query(({ ctx, input }) => collectCsv((write) => streamUsersCsv(ctx.trx, input, write))),
  exportLoginHistory: read.input(exportLoginHistoryInput).query(({ ctx, input }) => collectCsv((write) => streamLoginHistoryCsv(ctx.trx, input, write))),
  create: manage.input(createUserInput).mutation(({ ctx, input }) => createUser(ctx.scope, input)),
  update: manage.input(updateUserInput).mutation(({ ctx, input }) => updateUser(ctx.scope, input)),
  setRole: manage.input(setRoleInput).mutation(({ ctx, input }) => setUserRole(ctx.scope, input)),
  setStatus: manage.input(setStatusInput).mutation(({ ctx, input }) => changeStatusByAdmin(ctx.scope, input)),
  requirePasswordChange: manage.input(requirePasswordChangeInput).mutation(({ ctx, input }) => requirePasswordChange(ctx.scope, input)),
  sendPasswordReset: manage.input(userId).mutation(({ ctx, input }) => sendPasswordResetFor(ctx.scope, input)),
  resendInvitation: manage.input(userId).mutation(({ ctx, input }) => resendInvitation(ctx.scope, input)),
  bulkSetStatus: manage.input(bulkSetStatusInput).mutation(({ ctx, input }) => bulkSetStatus(ctx.scope, input)),
  bulkResendInvitation: manage.input(bulkResendInvitationInput).mutation(({ ctx, input }) => bulkResendInvitation(ctx.scope, input)),
  inactivityPreview: read
    .input(inactivityPreviewInput)
    .query(({ ctx, input }) => previewInactivity({ trx: ctx.trx, tenantId: ctx.tenantId, now: ctx.now(), ...input })),
});
