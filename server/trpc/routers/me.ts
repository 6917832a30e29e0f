import { updateProfileInput } from '../../contract/me';
import { getProfile, updateProfile } from '../../domain/users/profile';
import { router, tenantProcedure } from '../trpc';

/**
 * SPEC §4 `me`: any signed-in person reads and edits their own profile, no permission needed. On
 * tenantProcedure like auth.me, so an API key reaches the domain and hears why: it has no profile.
 */
export const meRouter = router({
  profile: tenantProcedure.query(({ ctx }) => getProfile(ctx.scope)),
  updateProfile: tenantProcedure.input(updateProfileInput).mutation(({ ctx, input }) => updateProfile(ctx.scope, input)),
});
