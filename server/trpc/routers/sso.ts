import { withTenant } from '../../../db/index';
import { configureSsoInput, workspaceSsoInput } from '../../contract/sso';
import { configureSso, disableSso, getSso, workspaceSignInOptions } from '../../domain/sso/connection';
import { readConnection } from '../../domain/sso/flow';
import { startOidc } from '../../domain/sso/oidc';
import { startSaml } from '../../domain/sso/saml';
import { findWorkspace } from '../../domain/tenants/workspaces';
import { getTenant } from '../../domain/tenants/tenants';
import { permissionProcedure, publicProcedure, router } from '../trpc';

/** SPEC §4 `sso`: get, configure, test, disable (Settings → Single sign-on). */
export const ssoRouter = router({
  get: permissionProcedure('settings.manage').query(({ ctx }) => getSso({ trx: ctx.trx, tenantId: ctx.tenantId, env: ctx.env })),

  configure: permissionProcedure('settings.manage')
    .input(configureSsoInput)
    .mutation(({ ctx, input }) => configureSso({ ...ctx.scope, env: ctx.env }, input)),

  /**
   * Starts a sign-in of the admin at the identity provider; its answer opens no session but is
   * reported on the settings page. Returns where to send the browser.
   */
  test: permissionProcedure('settings.manage').mutation(async ({ ctx }) => {
    const { slug } = await getTenant({ trx: ctx.trx, tenantId: ctx.tenantId });
    const connection = await readConnection(ctx.db, ctx.tenantId);
    const start = connection.protocol === 'oidc' ? startOidc : startSaml;
    const url = await start({ db: ctx.db, env: ctx.env, tenantId: ctx.tenantId, slug, purpose: 'test', returnTo: '/settings/sso', now: ctx.now() });
    return { url };
  }),

  disable: permissionProcedure('settings.manage').mutation(({ ctx }) => disableSso({ ...ctx.scope, env: ctx.env })),

  /** For the sign-in page, before anyone is signed in: whether a workspace offers "Continue with …". */
  forWorkspace: publicProcedure.input(workspaceSsoInput).query(async ({ ctx, input }) => {
    const tenantId = await findWorkspace({ ownerDb: ctx.ownerDb, slug: input.workspace });
    if (!tenantId) return null;
    const options = await withTenant(ctx.db, tenantId, (trx) => workspaceSignInOptions(trx));
    if (!options) return null;
    return { ...options, startUrl: `/sso/${encodeURIComponent(input.workspace.trim().toLowerCase())}/start` };
  }),
});
