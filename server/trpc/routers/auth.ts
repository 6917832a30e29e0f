import { router } from '../trpc';
import { acceptInviteProcedure } from './auth-accept-invite';
import { changePasswordProcedure } from './auth-change-password';
import { loginProcedure } from './auth-login';
import { logoutProcedure } from './auth-logout';
import { meProcedure } from './auth-me';
import { requestPasswordResetProcedure } from './auth-request-password-reset';
import { resetPasswordProcedure } from './auth-reset-password';
import { signupProcedure } from './auth-signup';

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
