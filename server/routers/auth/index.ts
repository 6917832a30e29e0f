import { router } from '../../trpc/trpc';
import { acceptInviteProcedure } from './accept-invite';
import { changePasswordProcedure } from './change-password';
import { loginProcedure } from './login';
import { logoutProcedure } from './logout';
import { meProcedure } from './me';
import { requestPasswordResetProcedure } from './request-password-reset';
import { resetPasswordProcedure } from './reset-password';
import { signupProcedure } from './signup';

export const authRouter = router({
  signup: signupProcedure,
  login: loginProcedure,
  logout: logoutProcedure,
  me: meProcedure,
  requestPasswordReset: requestPasswordResetProcedure,
  resetPassword: resetPasswordProcedure,
  changePassword: changePasswordProcedure,
  acceptInvite: acceptInviteProcedure,
});
