/**
 * How Seatwise configures itself against the local test OpenID provider (server/sso-idp/oidc-idp.ts):
 * the client id carries the redirect URI, so no registration is needed. No dependencies, so the
 * web process can use it without loading the provider.
 */
export const LOCAL_CLIENT_SECRET = 'seatwise-local-test-secret';
export const localClientId = (redirectUri: string) => `local.${Buffer.from(redirectUri).toString('base64url')}`;
export const redirectUriOf = (clientId: string) => (clientId.startsWith('local.') ? Buffer.from(clientId.slice(6), 'base64url').toString('utf8') : null);
