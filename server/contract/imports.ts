import { z } from 'zod';

/**
 * SPEC "Bulk import and export": the fields an import fills, and every header name they are
 * recognised by, in ONE place. Names are compared ignoring case, spaces and punctuation; the
 * first synonym of a field that a file holds wins, the others are listed as ignored (Entra's
 * `mail` beats `userPrincipalName`, which stays as the email of rows whose mail is blank).
 *
 * Where the names come from:
 * - Okta (Directory → People → Download CSV / reports): Username, First name, Last name,
 *   Primary email, Display name, Login, Locale, Time zone, Nick name;
 * - Google Workspace (Admin console → Users → Download users / bulk update template):
 *   "First Name [Required]", "Last Name [Required]", "Email Address [Required]";
 * - Microsoft Entra ID (Users → Download users, and the bulk create template): userPrincipalName,
 *   displayName, givenName, surname, mail, preferredLanguage, "User principal name",
 *   "Name [displayName] Required", "User name [userPrincipalName] Required", "First name [givenName]",
 *   "Last name [surname]".
 */
export const IMPORT_FIELDS = ['email', 'firstName', 'lastName', 'displayName', 'userName', 'kind', 'role', 'timeZone', 'locale', 'samlNameId'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const IMPORT_FIELD_LABELS: Record<ImportField, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  displayName: 'Display name',
  userName: 'User name',
  kind: 'Kind',
  role: 'Role',
  timeZone: 'Time zone',
  locale: 'Locale',
  samlNameId: 'SAML name id',
};

export const HEADER_SYNONYMS: Record<ImportField, readonly string[]> = {
  // A mail column (Entra's `mail`) wins over the user principal name, which is the email only
  // when the file has no mail column (as in many Entra tenants); see cellsOf for blank mail cells.
  email: ['Email', 'E-mail', 'Email Address', 'Primary Email', 'Work Email', 'mail', 'User Principal Name', 'UPN'],
  firstName: ['First Name', 'Given name', 'givenName', 'First', 'Forename'],
  lastName: ['Last Name', 'Surname', 'Family name', 'Last', 'sn'],
  displayName: ['Display name', 'displayName', 'Name', 'Full name'],
  userName: ['User name', 'Username', 'Login', 'Nick name', 'sAMAccountName', 'onPremisesSamAccountName'],
  kind: ['Kind', 'Seat type', 'Seat', 'User kind'],
  role: ['Role', 'Role name'],
  timeZone: ['Time zone', 'Timezone', 'TZ'],
  locale: ['Locale', 'Language', 'Preferred language', 'preferredLanguage'],
  samlNameId: ['SAML name id', 'SAML NameID', 'Name ID', 'NameID'],
};

/** "Email Address [Required]" and "e_mail" both become "emailaddressrequired" / "email". */
export const normalizeHeader = (header: string) => header.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

const SYNONYM_RANK = new Map<string, { field: ImportField; rank: number }>();
for (const field of IMPORT_FIELDS) {
  HEADER_SYNONYMS[field].forEach((name, rank) => {
    const key = normalizeHeader(name);
    if (!SYNONYM_RANK.has(key)) SYNONYM_RANK.set(key, { field, rank });
  });
}

/**
 * The field a header names: the whole header, then each bracketed part (Entra's "User name
 * [userPrincipalName] Required"), then without its bracketed parts and "required" (Google's
 * "Last Name [Required]").
 */
export function fieldOfHeader(header: string): { field: ImportField; rank: number } | null {
  const bare = header.replace(/\[[^\]]*\]/g, ' ').replace(/\brequired\b/gi, ' ');
  const inBrackets = [...header.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
  for (const candidate of [header, ...inBrackets, bare]) {
    const hit = SYNONYM_RANK.get(normalizeHeader(candidate));
    if (hit) return hit;
  }
  return null;
}

export type ColumnMapping = { header: string; field: ImportField | null }[];

/**
 * Each header's field, or null (listed and ignored). `overrides` (header → field or "ignore")
 * is what the admin chose on the preview for headers that were not recognised.
 */
export function mapHeaders(headers: string[], overrides: Record<string, string> = {}): ColumnMapping {
  const chosen = new Map<ImportField, { index: number; rank: number }>();
  const picks = headers.map((header) => {
    const override = overrides[header];
    if (override === 'ignore') return null;
    if (override && (IMPORT_FIELDS as readonly string[]).includes(override)) return { field: override as ImportField, rank: -1 };
    return fieldOfHeader(header);
  });
  picks.forEach((pick, index) => {
    if (!pick) return;
    const best = chosen.get(pick.field);
    if (!best || pick.rank < best.rank) chosen.set(pick.field, { index, rank: pick.rank });
  });
  return headers.map((header, index) => {
    const pick = picks[index];
    return { header, field: pick && chosen.get(pick.field)?.index === index ? pick.field : null };
  });
}

/** Kind cells: the seat type, or its label in the reference documentation ("Client User"). */
export function kindOfCell(value: string): 'standard' | 'client' | 'api' | null {
  const key = normalizeHeader(value);
  if (key === '' || key === 'standard' || key === 'user' || key === 'standarduser') return 'standard';
  if (key === 'client' || key === 'clientuser') return 'client';
  if (key === 'api' || key === 'apiuser') return 'api';
  return null;
}

export const MAX_IMPORT_ROWS = 50_000;
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
/** The rows a preview answers with; the rest are in the report. */
export const PREVIEW_ROWS = 1000;

export const IMPORT_RESULTS = ['new', 'update', 'unchanged', 'error'] as const;
export type ImportResult = (typeof IMPORT_RESULTS)[number];
/**
 * A row's result as the page and the report say it: after a run "created"/"updated"; an existing
 * user in "skip existing" mode is "skipped (exists)" whether or not its data differs.
 */
export function importResultLabel(result: ImportResult, { status, updateExisting }: { status: string; updateExisting: boolean }) {
  if (result === 'unchanged' && !updateExisting) return 'skipped (exists)';
  if (status === 'done' && result === 'new') return 'created';
  if (status === 'done' && result === 'update') return 'updated';
  return result;
}

export const IMPORT_STATUSES = ['previewed', 'queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const cell = z.union([z.string().max(MAX_IMPORT_BYTES), z.number(), z.boolean(), z.null()]);

export const previewImportInput = z.object({
  source: z.union([
    z.object({ csv: z.string().max(MAX_IMPORT_BYTES, 'An import file may be at most 20 MB') }).strict(),
    z.object({ xlsxBase64: z.string().max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, 'An import file may be at most 20 MB') }).strict(),
    /** A file as uploaded (CSV or XLSX, found by its content): what the import page sends. */
    z.object({ fileBase64: z.string().max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, 'An import file may be at most 20 MB'), fileName: z.string().max(255).optional() }).strict(),
    z.object({ rows: z.array(z.record(z.string().max(200), cell)).max(MAX_IMPORT_ROWS, `An import takes at most ${MAX_IMPORT_ROWS.toLocaleString('en')} rows`) }).strict(),
    /** The rows of an earlier preview again, with corrected column mapping. */
    z.object({ importId: z.uuid() }).strict(),
  ], { error: 'Send the rows as {csv}, {xlsxBase64}, {fileBase64} or {rows}' }),
  updateExisting: z.boolean().default(false),
  sendInvitations: z.boolean().default(true),
  /** Header → field (or "ignore") for the headers the preview did not recognise. */
  columns: z.record(z.string().max(200), z.enum([...IMPORT_FIELDS, 'ignore'])).optional(),
});

export const importIdInput = z.object({ id: z.uuid('Not a valid import id') });

export const listImportsInput = z
  .object({ limit: z.number().int().min(1).max(100).default(20) })
  .prefault({});
