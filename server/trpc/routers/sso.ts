import { withTenant } from '../../../db/index';
import { configureSsoInput, localTestIdpInput, SSO_CHANGE_REFUSED, workspaceSsoInput } from '../../contract/sso';
import { AppError } from '../../shared/errors';
import { localClientId, LOCAL_CLIENT_SECRET } from '../../sso-idp/local-client';
import { ssoUrls } from '../../domain/sso/urls';
import { configureSso, disableSso, getSso, workspaceSignInOptions } from '../../domain/sso/connection';
import { readConnection } from '../../domain/sso/flow';
import { startOidc } from '../../domain/sso/oidc';
import { startSaml } from '../../domain/sso/saml';
import { findWorkspace } from '../../domain/tenants/workspaces';
import { getTenant } from '../../domain/tenants/tenants';
import { PERMISSIONS } from '../../contract/permissions';
import { permissionProcedure, publicProcedure, router } from '../trpc';

/**
 * Whoever sets the identity provider decides who signs in as whom, Owners included: only someone
 * who holds every permission (an Owner) may change it, or an Admin could sign in as an Owner
 * through an identity provider of their own.
 */
const change = permissionProcedure('settings.manage').use(({ ctx, next }) => {
  if (!PERMISSIONS.every((p) => ctx.permissions.has(p))) throw new AppError('FORBIDDEN', SSO_CHANGE_REFUSED, { reason: 'SSO_OWNER_ONLY' });
  return next();
});

const fetchMetadata = async (url: string) => {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  } catch {
    throw new AppError('SERVICE_UNAVAILABLE', 'The local test identity provider does not answer. Is `npm start` still running?');
  }
};

/** SPEC §4 `sso`: get, configure, test, disable (Settings → Single sign-on). */
export const ssoRouter = router({
  get: permissionProcedure('settings.manage').query(({ ctx }) => getSso({ trx: ctx.trx, tenantId: ctx.tenantId, env: ctx.env })),

  configure: change
    .input(configureSsoInput)
    .mutation(({ ctx, input }) => configureSso({ ...ctx.scope, env: ctx.env }, input)),

  /**
   * Starts a sign-in of the admin at the identity provider; its answer opens no session but is
   * reported on the settings page. Returns where to send the browser.
   */
  test: change.mutation(async ({ ctx }) => {
    const { slug } = await getTenant({ trx: ctx.trx, tenantId: ctx.tenantId });
    const connection = await readConnection(ctx.db, ctx.tenantId);
    const start = connection.protocol === 'oidc' ? startOidc : startSaml;
    const url = await start({ db: ctx.db, env: ctx.env, tenantId: ctx.tenantId, slug, purpose: 'test', returnTo: '/settings/sso', now: ctx.now() });
    return { url };
  }),

  /**
   * Development only: configures the workspace against the local test identity provider that
   * `npm start` runs, so SSO can be tried without an account anywhere.
   */
  useLocalTestIdp: change
    .input(localTestIdpInput)
    .mutation(async ({ ctx, input }) => {
      const { env } = ctx;
      const idpUrl = input.protocol === 'oidc' ? env.SSO_TEST_OIDC_URL : env.SSO_TEST_SAML_URL;
      if (env.NODE_ENV === 'production' || !idpUrl) throw new AppError('NOT_FOUND', 'No local test identity provider runs here.', { reason: 'NO_TEST_IDP' });
      const { slug } = await getTenant({ trx: ctx.trx, tenantId: ctx.tenantId });
      const settings =
        input.protocol === 'oidc'
          ? { protocol: 'oidc' as const, displayName: 'Local test IdP (OIDC)', issuer: idpUrl, clientId: localClientId(ssoUrls(env, slug).redirectUri), clientSecret: LOCAL_CLIENT_SECRET }
          : { protocol: 'saml' as const, displayName: 'Local test IdP (SAML)', metadataXml: await fetchMetadata(`${idpUrl}/metadata`) };
      return configureSso({ ...ctx.scope, env }, settings);
    }),

  disable: change.mutation(({ ctx }) => disableSso({ ...ctx.scope, env: ctx.env })),

  /** For the sign-in page, before anyone is signed in: whether a workspace offers "Continue with …". */
  forWorkspace: publicProcedure.input(workspaceSsoInput).query(async ({ ctx, input }) => {
    const tenantId = await findWorkspace({ ownerDb: ctx.ownerDb, slug: input.workspace });
    if (!tenantId) return null;
    const options = await withTenant(ctx.db, tenantId, (trx) => workspaceSignInOptions(trx));
    if (!options) return null;
    return { ...options, startUrl: `/sso/${encodeURIComponent(input.workspace.trim().toLowerCase())}/start` };
  }),
});
