import type { Knex } from 'knex';
import type { Audience, SeatType } from '../server/contract/seats';
import type { UserStatus } from '../server/contract/statuses';
import type { Permission } from '../server/contract/permissions';

/**
 * The rows of every table, as knex hands them over (camelCase through objection's mappers). The
 * declaration below gives each `trx('<table>')` query its row type, so results are never cast.
 * Keep it in step with db/migrations: a column added there is added here.
 */

export type TenantRow = {
  id: string;
  slug: string;
  name: string;
  stripeCustomerId: string | null;
  inactivityDays: number;
  inactivityWarningDays: number;
  lockoutThreshold: number;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  createdAt: Date;
  updatedAt: Date;
};

export type SeatPoolRow = {
  tenantId: string;
  seatType: SeatType;
  included: number;
  subscribed: number;
  purchased: number;
  alertedPercent: number;
  updatedAt: Date;
};

export type RoleRow = {
  id: string;
  tenantId: string;
  key: string | null;
  name: string;
  audience: Audience;
  permissions: Permission[];
  createdAt: Date;
  updatedAt: Date;
};

export type UserRow = {
  id: string;
  tenantId: string;
  kind: SeatType;
  email: string;
  userName: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  roleId: string;
  timeZone: string;
  locale: string;
  status: UserStatus;
  statusReason: string | null;
  samlNameId: string | null;
  oidcSubject: string | null;
  passwordHash: string | null;
  isSystem: boolean;
  exemptFromInactivity: boolean;
  lastSignInAt: Date | null;
  lastActivityAt: Date | null;
  inactivityWarnedAt: Date | null;
  failedSignInCount: number;
  mustChangePassword: boolean;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
  /** SCIM: the identity provider's id for the user, and whether the directory manages it. */
  externalId: string | null;
  scimUserName: string | null;
  scimLinked: boolean;
  provisionedAt: Date | null;
  /** From the SCIM enterprise extension: the two of its attributes Seatwise keeps. */
  department: string | null;
  employeeNumber: string | null;
};

export type SessionRow = {
  id: string;
  tenantId: string;
  userId: string;
  tokenHash: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
};

export type LoginEventRow = {
  id: string;
  tenantId: string | null;
  userId: string | null;
  email: string;
  ip: string | null;
  userAgent: string | null;
  result: string;
  message: string;
  method: 'password' | 'saml' | 'oidc';
  createdAt: Date;
};

export type AuditEventRow = {
  id: string;
  tenantId: string;
  actorType: 'user' | 'api_key' | 'worker' | 'stripe' | 'system' | 'directory';
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string | null;
  createdAt: Date;
};

export type OneTimeTokenRow = {
  id: string;
  tenantId: string;
  userId: string;
  purpose: 'invitation' | 'password_reset';
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
};

export type DevMailRow = { id: string; to: string; subject: string; text: string; html: string | null; createdAt: Date };

export type RateLimitRow = { key: string; windowStart: Date; hits: number };

export type ApiKeyRow = {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

/** The part of a Stripe event we act on, as the webhook validated it before storing. */
export type StoredStripeEvent = { id: string; type: string; data: { object: { id?: string; object?: string; customer?: string | null; subscription?: string | null } } };

export type StripeEventRow = { id: string; type: string; payload: StoredStripeEvent; tenantId: string | null; receivedAt: Date; processedAt: Date | null };

export type SubscriptionRow = {
  id: string;
  tenantId: string;
  status: string;
  seatType: SeatType | null;
  priceId: string | null;
  quantity: number;
  checkoutSessionId: string | null;
  currentPeriodEnd: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export type SeatLedgerRow = {
  id: string;
  tenantId: string;
  seatType: SeatType;
  purchasedBefore: number;
  purchasedAfter: number;
  reason: string;
  stripeEventId: string | null;
  createdAt: Date;
};

export type SeatHoldingChangeRow = {
  id: string;
  tenantId: string;
  userId: string;
  seatType: SeatType;
  /** true: the user took a seat; false: gave it up. */
  holds: boolean;
  actorType: string;
  actorLabel: string | null;
  reason: string;
  createdAt: Date;
};

/** An import as previewed, then run (server/domain/imports). jsonb columns go in as JSON text. */
export type ImportRow = {
  tenantId: string;
  id: string;
  createdBy: string | null;
  createdByLabel: string | null;
  source: string;
  fileName: string | null;
  updateExisting: boolean;
  sendInvitations: boolean;
  status: 'previewed' | 'queued' | 'running' | 'done' | 'failed';
  headers: string[];
  mapping: { header: string; field: string | null }[];
  /** Every row as read (cells clipped), so a corrected mapping can be applied again. */
  cells: { line: number; cells: string[] }[];
  /** One per row: the result of the preview, then of the run. */
  results: { line: number; result: 'new' | 'update' | 'unchanged' | 'error'; email: string; errors?: { field: string; message: string }[] }[];
  total: number;
  done: number;
  counts: { new: number; update: number; unchanged: number; error: number };
  seats: Record<SeatType, { needed: number; free: number }>;
  message: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/** A tenant's identity provider (SPEC "Single sign-on"); `config` holds the protocol's settings. */
export type SsoConnectionRow = {
  tenantId: string;
  protocol: 'oidc' | 'saml';
  displayName: string;
  passwordSignIn: 'everyone' | 'owners';
  jitProvisioning: boolean;
  config: Record<string, unknown>;
  enabled: boolean;
  lastTest: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
};

/** SPEC "Directory provisioning": a provisioning token, kept as a hash and a visible prefix. */
export type ScimTokenRow = {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  tokenHash: string;
  createdBy: string | null;
  /** The creator's permissions at creation: the token acts with these. */
  permissions: string[];
  /** The creator's role at creation, for the token list. */
  creatorRoleName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/** A group the identity provider pushed, and the role it is mapped to (lower priority number wins). */
export type ScimGroupRow = {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  roleId: string | null;
  priority: number | null;
  createdAt: Date;
  updatedAt: Date;
};

export type ScimGroupMemberRow = { tenantId: string; groupId: string; userId: string };

export type SsoRequestRow = {
  id: string;
  tenantId: string;
  protocol: 'oidc' | 'saml';
  purpose: 'sign_in' | 'test';
  nonce: string | null;
  codeVerifier: string | null;
  returnTo: string | null;
  createdAt: Date;
  expiresAt: Date;
};

export type SsoAssertionRow = { tenantId: string; assertionId: string; expiresAt: Date };

type Json<T, K extends keyof T> = Omit<Partial<T>, K> & { [P in K]?: string };

/** What session_actor(token_hash) returns (db/migrations), with the tenant the opening set. */
export type SessionActorRow = {
  tenant: string;
  session_id: string;
  tenant_id: string;
  user_id: string;
  last_seen_at: Date;
  expires_at: Date;
  session_idle_minutes: number;
  status: UserStatus;
  email: string;
  must_change_password: boolean;
  permissions: Permission[];
};

/** What api_key_actor(key_hash) returns (db/migrations), with the tenant the opening set. */
export type ApiKeyActorRow = {
  tenant: string;
  key_id: string;
  tenant_id: string;
  user_id: string;
  prefix: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  status: UserStatus;
  email: string;
  permissions: Permission[];
};

declare module 'knex/types/tables' {
  interface Tables {
    tenants: TenantRow;
    seat_pools: SeatPoolRow;
    roles: RoleRow;
    users: UserRow;
    sessions: SessionRow;
    login_events: LoginEventRow;
    // before/after go in as JSON text: node-pg would turn a top-level array into a PostgreSQL array.
    audit_events: Knex.CompositeTableType<AuditEventRow, Partial<Omit<AuditEventRow, 'before' | 'after'>> & { before?: string | null; after?: string | null }>;
    one_time_tokens: OneTimeTokenRow;
    dev_mail: DevMailRow;
    rate_limits: RateLimitRow;
    api_keys: ApiKeyRow;
    stripe_events: StripeEventRow;
    subscriptions: SubscriptionRow;
    seat_ledger: SeatLedgerRow;
    seat_holding_changes: SeatHoldingChangeRow;
    imports: Knex.CompositeTableType<ImportRow, Json<ImportRow, 'headers' | 'mapping' | 'cells' | 'results' | 'counts' | 'seats'>, Json<ImportRow, 'results' | 'counts' | 'seats'>>;
    sso_connections: Knex.CompositeTableType<SsoConnectionRow, Json<SsoConnectionRow, 'config' | 'lastTest'>, Json<SsoConnectionRow, 'config' | 'lastTest'>>;
    scim_tokens: ScimTokenRow;
    scim_groups: ScimGroupRow;
    scim_group_members: ScimGroupMemberRow;
    sso_requests: SsoRequestRow;
    sso_assertions: SsoAssertionRow;
  }
}
