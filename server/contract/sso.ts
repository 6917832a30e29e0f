import { z } from 'zod';

/** SPEC "Single sign-on" and §4 `sso.configure`: one identity provider per workspace. */
export const SSO_PROTOCOLS = ['oidc', 'saml'] as const;
export type SsoProtocol = (typeof SSO_PROTOCOLS)[number];
export const PASSWORD_SIGN_IN = ['everyone', 'owners'] as const;
export type PasswordSignIn = (typeof PASSWORD_SIGN_IN)[number];

export const SSO_PROTOCOL_LABELS: Record<SsoProtocol, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0' };

const displayName = z.string().trim().min(1, 'Name the identity provider as people will see it ("Continue with …")').max(60, 'Use at most 60 characters');

const shared = {
  displayName,
  passwordSignIn: z.enum(PASSWORD_SIGN_IN, 'Choose everyone or owners').optional(),
  jitProvisioning: z.boolean('Choose on or off').optional(),
};

export const configureSsoInput = z.discriminatedUnion(
  'protocol',
  [
    z.object({
      protocol: z.literal('oidc'),
      ...shared,
      // Whether http is acceptable depends on the deployment: the domain checks it (SPEC §4).
      issuer: z.url({ message: 'Enter the issuer URL, such as https://example.okta.com', protocol: /^https?$/ }).trim().max(500),
      clientId: z.string().trim().min(1, 'Enter the client id the identity provider gave you').max(500),
      // Left empty on a connection that already has one, the stored secret is kept.
      clientSecret: z.string().trim().max(2000, 'Use at most 2000 characters').optional(),
    }),
    z.object({
      protocol: z.literal('saml'),
      ...shared,
      // Left empty on a SAML connection that already has it, the stored metadata is kept.
      metadataXml: z.string().trim().max(200_000, 'The metadata is too large (at most 200 KB)').optional(),
    }),
  ],
  'Choose OpenID Connect or SAML 2.0',
);
export type ConfigureSsoInput = z.output<typeof configureSsoInput>;

export const localTestIdpInput = z.object({ protocol: z.enum(SSO_PROTOCOLS, 'Choose OpenID Connect or SAML 2.0') });

/** The sign-in page asks which identity provider a workspace uses, before anyone is signed in. */
export const workspaceSsoInput = z.object({ workspace: z.string().trim().min(1).max(63) });

/** What the values to copy into the identity provider, and the settings page, are built from. */
export type SsoSettings = {
  protocol: SsoProtocol;
  displayName: string;
  passwordSignIn: PasswordSignIn;
  jitProvisioning: boolean;
  enabled: boolean;
  /** OIDC */
  issuer?: string;
  clientId?: string;
  hasClientSecret?: boolean;
  redirectUri?: string;
  /** SAML */
  idpEntityId?: string;
  idpSsoUrl?: string;
  spMetadataUrl?: string;
  acsUrl?: string;
  entityId?: string;
  /** What the last "Test connection" received. */
  lastTest: SsoTestReport | null;
};

export type SsoTestReport = {
  at: string;
  ok: boolean;
  message: string;
  /** Claims (OIDC) or NameID and attributes (SAML), as they came back. */
  received: Record<string, unknown>;
};

/** Why an Admin may read but not change single sign-on (server/trpc/routers/sso.ts). */
export const SSO_CHANGE_REFUSED = 'Only an Owner can change single sign-on: it decides how everyone signs in, Owners included.';

/** The one-time cookie that carries an SSO refusal to the sign-in page (never the URL: anyone could write one). */
export const SSO_MESSAGE_COOKIE = 'seatwise_sso_message';
