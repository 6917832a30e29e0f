/**
 * A local OpenID provider for development and tests (never started in production): the certified
 * `oidc-provider`, with a login page where any test person can be named. Its one client per
 * redirect URI needs no registration: the client id carries the redirect URI (see localClientId),
 * so a Seatwise process that only knows the IdP's URL can configure itself against it.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import { escapeHtml, page, userFields } from './page';
import { LOCAL_CLIENT_SECRET, redirectUriOf } from './local-client';

// The secret of every local client: this IdP signs in whoever is named, so it guards nothing.
export { LOCAL_CLIENT_SECRET, localClientId } from './local-client';

/** A stable subject per email that is not the email: it shows that people are linked by `sub`. */
export const subjectFor = (email: string) => `sub-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 20)}`;

type Person = { email: string; firstName: string; lastName: string; groups: string[]; emailVerified: boolean };

export async function startOidcIdp({ port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {}) {
  const people = new Map<string, Person>();
  const app = express();
  const server = app.listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  class LocalAdapter extends MemoryAdapter {
    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const redirectUri = redirectUriOf(id);
        if (!redirectUri || !/^https?:\/\/[^/]+\/sso\/[^/]+\/oidc\/callback$/.test(redirectUri)) return undefined;
        return { client_id: id, client_secret: LOCAL_CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' };
      }
      return (await super.find(id)) ?? undefined;
    }
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    adapter: LocalAdapter as unknown as new (name: string) => Adapter,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'local-test', use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    // Claims in the ID token itself (as Okta, Entra ID and Google send them), not only at userinfo.
    conformIdTokenClaims: false,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'groups'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = [...people.values()].find((p) => subjectFor(p.email) === sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: person.email,
          email_verified: person.emailVerified,
          given_name: person.firstName,
          family_name: person.lastName,
          name: `${person.firstName} ${person.lastName}`.trim(),
          groups: person.groups,
        }),
      };
    },
    // A first-party test client: no consent screen, the scopes asked for are granted.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });

  app.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      res.send(
        page(
          'Local test OpenID provider',
          `<p>Sign in to continue (${escapeHtml(details.params.client_id === undefined ? '' : 'Seatwise')}).</p><form method="post" action="/interaction/${escapeHtml(req.params.uid)}/login">${userFields()}` +
            `<label><input type="checkbox" name="unverified" value="1" style="width:auto"> Email address not verified</label><button type="submit">Sign in</button></form>`,
        ),
      );
    } catch (error) {
      next(error);
    }
  });
  app.post('/interaction/:uid/login', express.urlencoded({ extended: false }), async (req, res, next) => {
    try {
      const email = String(req.body.email ?? '').trim();
      if (!email) return void res.status(400).send(page('Bad request', '<p>Name the person to sign in.</p>'));
      people.set(email.toLowerCase(), {
        email,
        firstName: String(req.body.firstName ?? ''),
        lastName: String(req.body.lastName ?? ''),
        groups: String(req.body.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean),
        emailVerified: req.body.unverified !== '1',
      });
      await provider.interactionFinished(req, res, { login: { accountId: subjectFor(email) } }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });
  app.use(provider.callback());

  return {
    url: issuer,
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
