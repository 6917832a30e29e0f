import { router } from '../../trpc/trpc';
import { meProcedure } from './me';
import { signupProcedure } from './signup';

export const authRouter = router({
  signup: signupProcedure,
  me: meProcedure,
});
