import type { RequestHandler } from 'express';
import { sessionCookie } from '../domain/auth/sessions';
import type { Env } from '../shared/env';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The SAML assertion consumer service receives a cross-site POST from the identity provider by
 * design (HTTP-POST binding). It is authenticated by the signed response, not by the cookie, and
 * only ever opens a new session: the one address exempt from the check.
 */
const SAML_ACS = /^\/sso\/[^/]+\/saml\/acs\/?$/;

/**
 * SPEC §4 cross-site protection: a state-changing request that carries our session cookie must
 * come from our own pages. Requests with an API key carry no cookie and pass.
 */
export function crossSiteProtection(env: Env): RequestHandler {
  const appOrigin = new URL(env.APP_URL).origin;
  const cookieName = sessionCookie(env);
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || !req.cookies?.[cookieName] || (req.method === 'POST' && SAML_ACS.test(req.path))) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const ownOrigins = [appOrigin, `${req.protocol}://${req.get('host')}`];
    if (site === 'cross-site' || (origin && !ownOrigins.includes(origin))) {
      res.status(403).json({ error: { message: 'Cross-site request refused.', code: 'FORBIDDEN' } });
      return;
    }
    next();
  };
}
