import { SEAT_LABELS, seatCount, type SeatType } from '../../server/contract/seats';
import { stripeEventWords } from '../../server/contract/billing';

/** What the audit list and a user's audit tab show of an event. */
export type AuditEntry = {
  actorType: string;
  actorLabel: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  before: unknown;
  after: unknown;
};

type Fields = Record<string, unknown>;
const fields = (value: unknown): Fields => (value && typeof value === 'object' ? (value as Fields) : {});
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
const seatLabel = (value: unknown) => SEAT_LABELS[value as SeatType] ?? text(value);

/** Who did it, as a person reads it: a name, an API key, Stripe, or Seatwise itself. */
export function actorOf(e: AuditEntry) {
  if (e.actorType === 'stripe') return 'Stripe';
  if (e.actorType === 'worker') return e.actorLabel ? `The ${e.actorLabel}` : 'Seatwise';
  if (e.actorType === 'system') return 'Seatwise';
  if (e.actorType === 'api_key') return `API key ${e.actorLabel ?? ''}`.trim();
  // SPEC "Directory provisioning": the label is the provisioning token's visible prefix.
  if (e.actorType === 'directory') return e.actorLabel ? `The directory (${e.actorLabel}…)` : 'The directory';
  return e.actorName ?? e.actorLabel ?? 'Someone';
}

/** Profile fields in words, for "updated their profile (time zone)". */
const PROFILE_FIELDS: Record<string, string> = { firstName: 'first name', lastName: 'last name', displayName: 'display name', timeZone: 'time zone', locale: 'language' };

const STATUS_VERBS: Record<string, string> = { suspended: 'suspended', deactivated: 'deactivated', banned: 'banned', invited: 're-invited' };

/**
 * One sentence per event ("Hank suspended Grace: Security review"). An action without a sentence
 * yet reads as its name, so nothing recorded is ever hidden.
 */
export function auditSentence(e: AuditEntry) {
  const who = actorOf(e);
  const whom = e.targetName ?? (e.targetType === 'user' ? 'a user' : 'the workspace');
  const before = fields(e.before);
  const after = fields(e.after);
  const reason = text(after.reason) ? `: ${text(after.reason)}` : '';
  switch (e.action) {
    case 'tenant.created':
      return `${who} created the workspace ${text(after.name)}`;
    case 'tenant.settings_updated':
      return `${who} changed the settings: ${Object.entries(after).map(([k, v]) => `${k} ${text(before[k])} → ${text(v)}`).join(', ')}`;
    case 'user.created':
      return `${who} added ${whom} as ${seatLabel(after.kind)}${after.role ? ` with the ${text(after.role)} role` : ''}`;
    case 'user.updated':
      return `${who} edited ${whom}: ${Object.keys(after).join(', ')}`;
    case 'user.status_changed': {
      const to = text(after.status);
      const from = text(before.status);
      const verb = to === 'active' ? (from === 'banned' ? 'unbanned' : from === 'locked' ? 'unlocked' : 'reactivated') : (STATUS_VERBS[to] ?? `moved to ${to}`);
      return `${who} ${verb} ${whom}${reason}`;
    }
    case 'user.profile_updated': {
      const changed = Object.keys(after).map((k) => PROFILE_FIELDS[k] ?? k);
      return `${who} updated their profile${changed.length ? ` (${changed.join(', ')})` : ''}`;
    }
    case 'user.role_changed':
      return `${who} moved ${whom} from the ${text(before.role)} role to ${text(after.role)}`;
    case 'user.locked':
      return `${whom} was locked after ${text(after.failedSignInCount)} wrong passwords`;
    case 'user.invitation_sent':
      return `${who} sent ${whom} a new invitation`;
    case 'user.invitation_accepted':
      return `${whom} accepted the invitation`;
    case 'user.password_reset_sent':
      return `${who} sent ${whom} a password reset link`;
    case 'user.password_reset':
      return `${whom} reset their password${text(before.status) === 'locked' ? ', which unlocked them' : ''}`;
    case 'user.password_changed':
      return `${whom} changed their password`;
    case 'user.password_change_required':
      return after.mustChangePassword ? `${who} asked ${whom} to choose a new password at next sign-in` : `${who} no longer asks ${whom} for a new password`;
    case 'api_key.created':
      return `${who} created the API key “${text(after.name)}” for ${whom}`;
    case 'api_key.revoked':
      return `${who} revoked the API key “${text(before.name)}” of ${whom}${text(after.why) ? ` (${text(after.why)})` : ''}`;
    case 'role.created':
      return `${who} created the role ${text(after.name)}`;
    case 'role.updated':
      return `${who} changed the role ${text(after.name) || text(before.name)}`;
    case 'user.linked':
      return `${who} linked ${whom} to the directory`;
    case 'user.unlinked':
      return `${who} removed ${whom} from the directory (deactivated, kept in Seatwise)`;
    case 'provisioning.token_created':
      return `${who} created the provisioning token “${text(after.name)}” (${text(after.prefix)}…)`;
    case 'provisioning.token_revoked':
      return `${who} revoked the provisioning token “${text(before.name)}” (${text(before.prefix)}…)`;
    case 'provisioning.group_created':
      return `${who} added the group ${text(after.displayName)}`;
    case 'provisioning.group_updated':
      return `${who} changed the group ${text(after.displayName) || text(before.displayName)}`;
    case 'provisioning.group_deleted':
      return `${who} removed the group ${text(before.displayName)}`;
    case 'provisioning.group_mapped':
      return `${who} mapped the group ${text(after.displayName)} to ${text(after.role) || 'no role'}`;
    case 'sso.configured': {
      const protocol = after.protocol === 'saml' ? 'SAML 2.0' : 'OpenID Connect';
      const how = `${after.passwordSignIn === 'owners' ? 'passwords for Owners only' : 'passwords for everyone'}, just-in-time provisioning ${after.jitProvisioning ? 'on' : 'off'}`;
      return `${who} set up single sign-on with ${text(after.displayName)} (${protocol}; ${how})`;
    }
    case 'sso.disabled':
      return `${who} turned single sign-on with ${text(before.displayName)} off`;
    case 'billing.customer_created':
      return `${who} connected the workspace to Stripe`;
    case 'billing.checkout_started':
      return `${who} started buying ${seatCount(Number(after.quantity), seatLabel(after.seatType), text(after.quantity))}`;
    case 'seats.changed':
      return `${who} changed purchased ${seatLabel(e.targetId)} seats from ${text(before.purchased)} to ${text(after.purchased)}${e.actorLabel && e.actorType === 'stripe' ? ` (${stripeEventWords(e.actorLabel)})` : ''}`;
    default:
      return `${who}: ${e.action}`;
  }
}
