import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditSentence, type AuditEntry } from '../app/utils/audit-sentences';
import { createTestApp, startHttp, type TestApp } from './helpers/app';
import { provisionedWorkspace, scimRequest } from './helpers/scim';

/**
 * Issue #16: the request sequences that Okta's and Microsoft Entra ID's provisioning documentation
 * publish, recorded in test/fixtures/scim/*.json and replayed in order against a real server.
 * `{{name}}` is replaced by the workspace's domain or by a value captured from an earlier answer.
 */
type Step = {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  expect: { status: number; body?: Record<string, unknown> };
  capture?: Record<string, string>;
  /** Keys the answer must not have (excludedAttributes). */
  absent?: string[];
  /** The Seatwise user row of {{userId}} afterwards. */
  user?: Record<string, unknown>;
};

let app: TestApp;
let url: string;

beforeAll(async () => {
  app = await createTestApp({ SCIM_RATE_LIMIT: '100000' });
  ({ url } = await startHttp(app.deps));
});

function fill<T>(value: T, vars: Record<string, string>): T {
  return JSON.parse(JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`The fixture uses {{${name}}} before it is captured.`);
    return vars[name];
  }));
}

async function replay(fixture: string) {
  const { steps } = JSON.parse(readFileSync(new URL(`./fixtures/scim/${fixture}`, import.meta.url), 'utf8')) as { steps: Step[] };
  const ws = await provisionedWorkspace(app, { standard: 5 });
  const vars: Record<string, string> = { domain: `${ws.input.slug}.test` };
  for (const raw of steps) {
    const step = fill(raw, vars);
    const answer = await scimRequest(url, ws.token, step.method, step.path, step.body);
    expect(answer.status, `${step.name}: ${JSON.stringify(answer.body)}`).toBe(step.expect.status);
    if (step.expect.body) expect(answer.body, step.name).toMatchObject(step.expect.body);
    for (const key of step.absent ?? []) expect(answer.body, step.name).not.toHaveProperty(key);
    if (answer.status !== 204) expect(answer.type, step.name).toContain('application/scim+json');
    for (const [name, key] of Object.entries(step.capture ?? {})) vars[name] = String(answer.body[key]);
    if (step.user) expect(await app.database.owner('users').where({ id: vars.userId }).first(), step.name).toMatchObject(step.user);
  }
  return { ws, vars };
}

describe('SCIM clients as their documentation shows them', () => {
  it('Okta: the published create, update, deactivate and Group Push sequence', async () => {
    const { ws, vars } = await replay('okta.json');
    // Everything the directory did is audited as the directory, with the token's prefix.
    const events = await app.database.owner('audit_events').where({ tenantId: ws.tenant.id, actorType: 'directory' }).select('action', 'actorLabel');
    expect(events.every((e) => e.actorLabel === ws.prefix)).toBe(true);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.status_changed', 'provisioning.group_created', 'provisioning.group_deleted']));
    expect(await app.database.owner('users').where({ tenantId: ws.tenant.id }).whereRaw('lower(email) = ?', [`test.user@${vars.domain}`])).toHaveLength(1);
    // And it reads well on the audit page.
    const { items } = await ws.owner.audit.list({ limit: 200 });
    const sentences = items.map((e) => auditSentence(e as unknown as AuditEntry));
    expect(sentences).toEqual(
      expect.arrayContaining([
        // People are named as they are now (the PUT renamed Test User).
        `The directory (${ws.prefix}…) added Another User as User with the Read Only role`,
        `The directory (${ws.prefix}…) deactivated Another User: Deactivated in the directory`,
        `The directory (${ws.prefix}…) added the group Test SCIMv2`,
        `${ws.input.firstName} ${ws.input.lastName} created the provisioning token “Okta” (${ws.prefix}…)`,
      ]),
    );
  });

  it('Microsoft Entra ID: the published user and group requests, with its spellings', async () => {
    const { ws } = await replay('entra.json');
    expect(await app.database.owner('scim_groups').where({ tenantId: ws.tenant.id })).toEqual([]);
  });
});
