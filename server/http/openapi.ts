import { z } from 'zod';
import { createApiKeyInput, listApiKeysInput, revokeApiKeyInput } from '../contract/api-keys';
import { updateProfileInput } from '../contract/me';
import { seatHistoryInput, seatHoldersInput } from '../contract/seat-history';
import {
  bulkResendInvitationInput,
  bulkSetStatusInput,
  createUserInput,
  listUsersInput,
  loginHistoryInput,
  requirePasswordChangeInput,
  setRoleInput,
  setStatusInput,
  updateUserInput,
  userId,
} from '../contract/users';

type Operation = { path: string; kind: 'query' | 'mutation'; input?: z.ZodType; summary: string; permission: string };

/** The procedures integrations call, described from the very schemas that validate them. */
export const integrationProcedures: Operation[] = [
  { path: 'users.list', kind: 'query', input: listUsersInput, summary: 'Search and filter users (keyset pagination).', permission: 'users.read' },
  { path: 'users.get', kind: 'query', input: userId, summary: 'One user.', permission: 'users.read' },
  { path: 'users.permissions', kind: 'query', input: userId, summary: "A user's role and effective permissions.", permission: 'users.read' },
  { path: 'users.loginHistory', kind: 'query', input: loginHistoryInput, summary: "Sign-in attempts, newest first: a user's, or without an id the workspace's (unknown emails included); filters by result, email, address and dates.", permission: 'users.read' },
  { path: 'users.create', kind: 'mutation', input: createUserInput, summary: 'Create a user (needs a free seat of its kind).', permission: 'users.manage' },
  { path: 'users.update', kind: 'mutation', input: updateUserInput, summary: "Change a user's details.", permission: 'users.manage' },
  { path: 'users.setRole', kind: 'mutation', input: setRoleInput, summary: "Change a user's role.", permission: 'users.manage' },
  { path: 'users.setStatus', kind: 'mutation', input: setStatusInput, summary: 'Suspend, deactivate, ban (reason required), reactivate or unban.', permission: 'users.manage' },
  { path: 'users.requirePasswordChange', kind: 'mutation', input: requirePasswordChangeInput, summary: 'Require a new password at next sign-in.', permission: 'users.manage' },
  { path: 'users.sendPasswordReset', kind: 'mutation', input: userId, summary: 'Email the user a password reset link.', permission: 'users.manage' },
  { path: 'users.resendInvitation', kind: 'mutation', input: userId, summary: 'Send a new invitation; the old link stops working.', permission: 'users.manage' },
  { path: 'users.bulkSetStatus', kind: 'mutation', input: bulkSetStatusInput, summary: 'Suspend, deactivate or ban up to 100 users (reason required to ban), all or none: a refusal names every user refused and changes nothing.', permission: 'users.manage' },
  { path: 'users.bulkResendInvitation', kind: 'mutation', input: bulkResendInvitationInput, summary: 'Send new invitations to up to 100 invited users, all or none.', permission: 'users.manage' },
  { path: 'seats.summary', kind: 'query', summary: 'Purchased, used and available seats per seat type.', permission: 'users.read' },
  { path: 'seats.history', kind: 'query', input: seatHistoryInput, summary: 'Purchased and used seats per seat type at the end of each day, week or month (UTC; at most 400 points).', permission: 'users.read' },
  { path: 'seats.holders', kind: 'query', input: seatHoldersInput, summary: 'Who held a seat of a type at an instant, and since when.', permission: 'users.read' },
  { path: 'roles.list', kind: 'query', summary: 'Roles with their audience and permissions.', permission: 'users.read' },
  { path: 'apiKeys.create', kind: 'mutation', input: createApiKeyInput, summary: 'Create a key for an API user; the key is returned only here.', permission: 'users.manage' },
  { path: 'apiKeys.list', kind: 'query', input: listApiKeysInput, summary: "An API user's keys (never the keys themselves).", permission: 'users.manage' },
  { path: 'apiKeys.revoke', kind: 'mutation', input: revokeApiKeyInput, summary: 'Revoke a key at once.', permission: 'users.manage' },
  { path: 'me.profile', kind: 'query', summary: "The signed-in person's own profile (a session, not an API key: a key is refused with 'API keys have no profile').", permission: 'none (any signed-in person)' },
  { path: 'me.updateProfile', kind: 'mutation', input: updateProfileInput, summary: "Change the signed-in person's own names, time zone (IANA) and locale (BCP 47); a session, not an API key.", permission: 'none (any signed-in person)' },
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const errorResponse = {
  description: 'Refused. `error.message` says why in words a person can act on; `error.data.code` is the tRPC code.',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              data: {
                type: 'object',
                properties: {
                  code: { type: 'string' },
                  httpStatus: { type: 'integer' },
                  reason: { type: 'string', description: 'e.g. SEAT_LIMIT, with seatType, purchased and used' },
                  fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
    },
  },
};

export function openApiDocument(appUrl: string) {
  const paths: Record<string, unknown> = {};
  for (const op of integrationProcedures) {
    const operation = {
      operationId: op.path,
      summary: op.summary,
      description: `Requires the \`${op.permission}\` permission.`,
      tags: [op.path.split('.')[0]],
      security: [{ apiKey: [] }],
      ...(op.kind === 'query'
        ? op.input
          ? {
              parameters: [
                {
                  name: 'input',
                  in: 'query',
                  required: false,
                  description: 'The input as URL-encoded JSON.',
                  content: { 'application/json': { schema: jsonSchema(op.input) } },
                },
              ],
            }
          : {}
        : { requestBody: { required: true, content: { 'application/json': { schema: op.input ? jsonSchema(op.input) : { type: 'object' } } } } }),
      responses: {
        '200': {
          description: 'Success: the value is in `result.data`.',
          content: { 'application/json': { schema: { type: 'object', properties: { result: { type: 'object', properties: { data: {} } } } } } },
        },
        '400': errorResponse,
        '401': errorResponse,
        '403': errorResponse,
        '404': errorResponse,
        '429': errorResponse,
      },
    };
    paths[`/trpc/${op.path}`] = { [op.kind === 'query' ? 'get' : 'post']: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Seatwise API',
      version: '1.0.0',
      description:
        'Manage users and seats with an API key: `Authorization: Bearer swk_…`. Queries are GET with `?input=<JSON>`, mutations are POST with a JSON body. Times are ISO 8601 strings.',
    },
    servers: [{ url: appUrl }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key of an API user (swk_…).' } } },
    paths,
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A readable reference for people, rendered from the same document. */
export function apiReferencePage(doc: ReturnType<typeof openApiDocument>) {
  const sections = Object.entries(doc.paths)
    .map(([path, methods]) =>
      Object.entries(methods as Record<string, { summary: string; description: string; parameters?: { content: { 'application/json': { schema: unknown } } }[]; requestBody?: { content: { 'application/json': { schema: unknown } } } }>)
        .map(([method, op]) => {
          const schema = op.requestBody?.content['application/json'].schema ?? op.parameters?.[0]?.content['application/json'].schema;
          return `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2><p>${escapeHtml(op.summary)} ${escapeHtml(op.description)}</p>${
            schema ? `<details><summary>Input schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>` : '<p><em>No input.</em></p>'
          }</section>`;
        })
        .join(''),
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Seatwise API reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#111827;line-height:1.5}
section{border-top:1px solid #e5e7eb;padding:.5rem 0}pre{background:#f3f4f6;padding:1rem;overflow:auto;border-radius:8px}</style></head>
<body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>${sections}</body></html>`;
}
