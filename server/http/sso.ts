import express, { Router, type Request, type Response } from 'express';
import { withTenant } from '../../db/index';
import { recordAttempt } from '../domain/auth/sign-in';
import { sessionCookie } from '../domain/auth/sessions';
import { hitRateLimit, type RateLimit } from '../domain/rate-limits';
import { readConnection, REQUEST_TTL_MS, SsoRefusal, type Purpose } from '../domain/sso/flow';
import { finishOidc, startOidc } from '../domain/sso/oidc';
import { finishSaml, spMetadata, startSaml } from '../domain/sso/saml';
import { completeSsoSignIn, type SsoIdentity } from '../domain/sso/sign-in';
import { sameOriginPath } from '../domain/sso/urls';
import { findWorkspace } from '../domain/tenants/workspaces';
import { SSO_MESSAGE_COOKIE, type SsoTestReport } from '../contract/sso';
import { AppError } from '../shared/errors';
import { expressCookieJar, type Deps } from '../trpc/context';

/** A refusal shown once on the sign-in page (never in the URL, where anyone could write one). */
/** The workspace last used on this device, so the sign-in page can offer it again. */
export const LAST_WORKSPACE_COOKIE = 'seatwise_workspace';
/** The state of the OIDC sign-in this browser started, readable only by the callback (login CSRF). */
export const SSO_STATE_COOKIE = 'seatwise_sso_state';
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/i;

const startLimit = (deps: Deps): RateLimit => ({
  name: 'sso-start',
  // Each start stores a pending request: bounded per address, with room for a whole office behind one NAT.
  max: deps.env.SIGN_IN_RATE_LIMIT * 10,
  windowSeconds: 900,
  message: 'Too many sign-in attempts from your network.',
});

/** SPEC §4: /sso/<workspace>/start, /oidc/callback, /saml/acs and /saml/metadata. */
export function ssoRoutes(deps: Deps) {
  const { env, db, ownerDb, log } = deps;
  const router = Router();
  const meta = (req: Request) => ({ ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null });

  const stateCookie = (slug: string) => ({ httpOnly: true, sameSite: 'lax' as const, secure: env.NODE_ENV === 'production', path: `/sso/${slug}/oidc/callback` });

  const toLogin = (req: Request, res: Response, slug: string | null, message: string) => {
    expressCookieJar(env, req, res).set(SSO_MESSAGE_COOKIE, message.slice(0, 500), { maxAgeSeconds: 120 });
    res.redirect(303, slug ? `/login?workspace=${encodeURIComponent(slug)}` : '/login');
  };

  const workspace = async (req: Request, res: Response) => {
    const slug = String(req.params.workspace ?? '');
    const tenantId = SLUG.test(slug) ? await findWorkspace({ ownerDb, slug }) : null;
    if (!tenantId) toLogin(req, res, null, 'There is no workspace at this address. Check its name.');
    return tenantId ? { slug: slug.toLowerCase(), tenantId } : null;
  };

  /** Anything unexpected still ends on a page that says so: an IdP's answer never gets a 5xx. */
  const guarded = (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    handler(req, res).catch((error) => {
      if (!(error instanceof AppError)) log.error({ err: error, path: req.path }, 'single sign-on failed');
      if (res.headersSent) return;
      toLogin(req, res, null, error instanceof AppError ? error.message : 'Single sign-on failed on our side. Please try again.');
    });
  };

  router.get(
    '/:workspace/start',
    guarded(async (req, res) => {
      const ws = await workspace(req, res);
      if (!ws) return;
      const now = deps.now();
      try {
        await hitRateLimit({ db: ownerDb, now, subject: req.ip ?? 'unknown', limit: startLimit(deps) });
        const connection = await readConnection(db, ws.tenantId);
        const returnTo = sameOriginPath(req.query.returnTo);
        const start = connection.protocol === 'oidc' ? startOidc : startSaml;
        const url = await start({ db, env, tenantId: ws.tenantId, slug: ws.slug, purpose: 'sign_in', returnTo, now });
        // The callback accepts only the state it finds here (one pending sign-in per browser).
        const state = connection.protocol === 'oidc' ? new URL(url).searchParams.get('state') : null;
        if (state) res.cookie(SSO_STATE_COOKIE, state, { ...stateCookie(ws.slug), maxAge: REQUEST_TTL_MS });
        expressCookieJar(env, req, res).set(LAST_WORKSPACE_COOKIE, ws.slug, { maxAgeSeconds: 400 * 24 * 3600 });
        res.redirect(303, url);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        toLogin(req, res, ws.slug, error.message);
      }
    }),
  );

  const finish = async (req: Request, res: Response, ws: { slug: string; tenantId: string }, method: 'oidc' | 'saml', answer: () => Promise<{ purpose: Purpose; returnTo: string | null; identity: SsoIdentity }>) => {
    const now = deps.now();
    let result;
    try {
      result = await answer();
    } catch (error) {
      if (!(error instanceof SsoRefusal)) throw error;
      await withTenant(db, ws.tenantId, async (trx) => {
        if (error.purpose === 'test') {
          const report: SsoTestReport = { at: now.toISOString(), ok: false, message: error.message, received: error.detail ? { error: error.detail } : {} };
          await trx('sso_connections').where({ tenantId: ws.tenantId }).update({ lastTest: JSON.stringify(report) });
        } else {
          await recordAttempt(trx, { tenantId: ws.tenantId, userId: null, email: null, result: 'sso_refused', message: error.message, meta: meta(req), now, method });
        }
      });
      if (error.purpose === 'test') return void res.redirect(303, '/settings/sso?tested=1');
      return toLogin(req, res, ws.slug, error.message);
    }
    const outcome = await completeSsoSignIn({
      db,
      jobs: deps.jobs,
      tenantId: ws.tenantId,
      identity: result.identity,
      purpose: result.purpose,
      meta: meta(req),
      now,
      previousSessionToken: req.cookies?.[sessionCookie(env)],
    });
    if (outcome.kind === 'tested') return void res.redirect(303, '/settings/sso?tested=1');
    if (outcome.kind === 'refused') return toLogin(req, res, ws.slug, outcome.error.message);
    const cookies = expressCookieJar(env, req, res);
    cookies.set(sessionCookie(env), outcome.session.token, { expires: outcome.session.expiresAt });
    cookies.set(LAST_WORKSPACE_COOKIE, ws.slug, { maxAgeSeconds: 400 * 24 * 3600 });
    res.redirect(303, sameOriginPath(result.returnTo) ?? '/dashboard');
  };

  router.get(
    '/:workspace/oidc/callback',
    guarded(async (req, res) => {
      const ws = await workspace(req, res);
      if (!ws) return;
      const query = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const boundState = (req.cookies as Record<string, string> | undefined)?.[SSO_STATE_COOKIE];
      // Used once, whatever the outcome.
      if (boundState !== undefined) res.clearCookie(SSO_STATE_COOKIE, stateCookie(ws.slug));
      await finish(req, res, ws, 'oidc', () => finishOidc({ db, env, tenantId: ws.tenantId, slug: ws.slug, query, boundState, now: deps.now() }));
    }),
  );

  router.post(
    '/:workspace/saml/acs',
    express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 10 }),
    guarded(async (req, res) => {
      const ws = await workspace(req, res);
      if (!ws) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      await finish(req, res, ws, 'saml', () => finishSaml({ db, env, tenantId: ws.tenantId, slug: ws.slug, body, now: deps.now() }));
    }),
  );

  router.get(
    '/:workspace/saml/metadata',
    guarded(async (req, res) => {
      const slug = String(req.params.workspace ?? '');
      const tenantId = SLUG.test(slug) ? await findWorkspace({ ownerDb, slug }) : null;
      if (!tenantId) return void res.status(404).type('text/plain').send('There is no workspace at this address.');
      res.type('application/samlmetadata+xml').send(spMetadata(env, slug.toLowerCase()));
    }),
  );

  return router;
}
