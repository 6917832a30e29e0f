import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { SettingsTabs } from '~/components/settings-tabs';
import { TableScroll } from '~/components/table-scroll';
import { Time } from '~/components/time';
import { attempt, requirePermission } from '~/utils/errors';
import { blankAsAbsent, parseForm } from '~/utils/forms';
import { requireMe } from '~/utils/session.server';
import { createScimTokenInput, mapGroupInput, revokeScimTokenInput } from '../../server/contract/scim';
import { AUDIENCE_LABELS } from '../../server/contract/seats';

export const meta: MetaFunction = () => [{ title: 'Provisioning · Settings · Seatwise' }];

/** One form per action on the page, told apart by the button's intent. "No role" posts a blank role. */
const provisioningForm = z.discriminatedUnion('intent', [
  createScimTokenInput.extend({ intent: z.literal('createToken') }),
  revokeScimTokenInput.extend({ intent: z.literal('revokeToken') }),
  mapGroupInput.extend({
    intent: z.literal('mapGroup'),
    roleId: z.preprocess((v) => (v === '' ? null : v), mapGroupInput.shape.roleId),
    priority: blankAsAbsent(mapGroupInput.shape.priority.unwrap()),
  }),
]);

export async function loader({ context, request }: LoaderFunctionArgs) {
  requirePermission(await requireMe(context, request), 'settings.manage');
  const [tokens, groups, kept, roles] = await Promise.all([
    context.trpc.provisioning.listTokens(),
    context.trpc.provisioning.groups(),
    context.trpc.provisioning.keptRoles(),
    context.trpc.roles.list(),
  ]);
  // SPEC: the SCIM base URL, for the admin to paste into Okta or Entra ID.
  const baseUrl = `${new URL(request.url).origin}/scim/v2`;
  const revoking = tokens.find((t) => t.id === new URL(request.url).searchParams.get('revoke') && t.status === 'active') ?? null;
  return json({ tokens, groups, kept, roles: roles.filter((r) => r.audience !== 'api'), baseUrl, revokingId: revoking?.id ?? null });
}

type ActionData = { intent: string | null; groupId?: string; message?: string; fieldErrors?: Record<string, string[] | null | undefined>; newToken?: { name: string; token: string } };

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseForm(await request.formData(), provisioningForm);
  if (submission.status !== 'success') {
    const intent = submission.payload.intent;
    const reply = submission.reply();
    return json<ActionData>(
      { intent: typeof intent === 'string' ? intent : null, groupId: String(submission.payload.groupId ?? ''), message: submission.error?.intent ? 'Unknown action.' : undefined, fieldErrors: reply.error ?? {} },
      { status: 400 },
    );
  }
  const form = submission.value;
  if (form.intent === 'createToken') {
    const created = await attempt(context, () => context.trpc.provisioning.createToken({ name: form.name }));
    if (!created.ok) return json<ActionData>({ intent: form.intent, message: created.errors.message, fieldErrors: created.errors.fieldErrors }, { status: created.status });
    // The only time the token is shown: in this answer, never in a URL or a later page.
    return json<ActionData>({ intent: form.intent, newToken: { name: form.name, token: created.value.token } });
  }
  if (form.intent === 'revokeToken') {
    const revoked = await attempt(context, () => context.trpc.provisioning.revokeToken({ id: form.id }));
    if (!revoked.ok) return json<ActionData>({ intent: form.intent, message: revoked.errors.message }, { status: revoked.status });
    return redirect('/settings/provisioning?done=revoked');
  }
  const mapped = await attempt(context, () => context.trpc.provisioning.mapGroup({ groupId: form.groupId, roleId: form.roleId, priority: form.priority }));
  if (!mapped.ok) return json<ActionData>({ intent: form.intent, groupId: form.groupId, message: mapped.errors.message, fieldErrors: mapped.errors.fieldErrors }, { status: mapped.status });
  return redirect('/settings/provisioning?done=mapped');
}

export default function Provisioning() {
  const { tokens, groups, kept, roles, baseUrl, revokingId } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const done = search.get('done');
  const revoking = tokens.find((t) => t.id === revokingId);
  const roleOptions = [{ value: '', label: 'No role (not mapped)' }, ...roles.map((r) => ({ value: r.id, label: `${r.name} (${AUDIENCE_LABELS[r.audience]})` }))];
  const skipped = groups.filter((g) => g.skipped.length);
  return (
    <div className="panel">
      <h1>Settings</h1>
      <SettingsTabs />
      {done === 'revoked' && !data ? <p className="notice">Token revoked. Requests with it are refused from now on.</p> : null}
      {done === 'mapped' && !data ? <p className="notice">Mapping saved. Members&apos; roles were updated.</p> : null}

      <section aria-labelledby="scim-url">
        <h2 id="scim-url">Directory provisioning (SCIM 2.0)</h2>
        <p className="muted">Okta or Microsoft Entra ID create, update and deactivate users here, within your seats.</p>
        <label>
          SCIM base URL
          <input readOnly value={baseUrl} style={{ width: '100%', fontFamily: 'monospace' }} />
        </label>
        <details>
          <summary>What to enter in your identity provider</summary>
          <dl>
            <dt>Okta (app integration → Provisioning → Integration)</dt>
            <dd>
              SCIM connector base URL: the address above · Unique identifier field for users: <code>userName</code> · Supported actions: Push New Users, Push Profile
              Updates, Push Groups · Authentication mode: HTTP Header, with a token below as the Bearer token. Then enable Create Users, Update User Attributes and
              Deactivate Users under To App.
            </dd>
            <dt>Microsoft Entra ID (enterprise application → Provisioning → Automatic)</dt>
            <dd>Tenant URL: the address above · Secret token: a token below. Test connection, save, keep the default attribute mappings and turn provisioning on.</dd>
          </dl>
        </details>
      </section>

      <section aria-labelledby="scim-tokens" style={{ marginTop: '2rem' }}>
        <h2 id="scim-tokens">Provisioning tokens</h2>
        {data?.newToken ? (
          <div className="notice" role="status">
            <p>
              <strong>Copy the token &ldquo;{data.newToken.name}&rdquo; now: it will not be shown again.</strong>
            </p>
            <label>
              New provisioning token
              <input readOnly value={data.newToken.token} style={{ width: '100%', fontFamily: 'monospace' }} />
            </label>
          </div>
        ) : null}
        <p className="muted">A token acts with the permissions of the person who creates it, as they are at that moment: it can do nothing to a user that they could not. Creating one needs the settings.manage and users.manage permissions.</p>
        <Form method="post" className="toolbar">
          <input type="hidden" name="intent" value="createToken" />
          {data?.intent === 'createToken' ? <FormAlert message={data.message} /> : null}
          <Field label="Token name" name="name" placeholder="Okta" errors={data?.intent === 'createToken' ? (data.fieldErrors?.name ?? undefined) : undefined} required maxLength={100} />
          <button type="submit">Create token</button>
        </Form>
        {revoking ? (
          <Form method="post" className="panel">
            <input type="hidden" name="intent" value="revokeToken" />
            <input type="hidden" name="id" value={revoking.id} />
            <p>
              Revoke &ldquo;{revoking.name}&rdquo; ({revoking.prefix}…)? The identity provider using it can no longer provision anyone until it gets a new token.
            </p>
            <div className="row">
              <button type="submit" className="danger">
                Revoke token
              </button>
              <Link to="/settings/provisioning">Cancel</Link>
            </div>
          </Form>
        ) : null}
        {data?.intent === 'revokeToken' ? <FormAlert message={data.message} /> : null}
        {tokens.length ? (
          <TableScroll label="Provisioning tokens">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">Revoke</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>
                      <code>{t.prefix}…</code>
                    </td>
                    <td>
                      <Time at={t.createdAt} />
                    </td>
                    <td>
                      {t.creatorRoleName ? (
                        <>
                          Acts with the permissions of {t.creatorName ?? 'a former user'} ({t.creatorRoleName}) as of <Time at={t.createdAt} style="date" />
                        </>
                      ) : (
                        'Acts with no permissions (its creator is unknown): create a new token'
                      )}
                    </td>
                    <td>{t.lastUsedAt ? <Time at={t.lastUsedAt} /> : 'never'}</td>
                    <td>{t.status === 'revoked' ? 'Revoked' : 'Active'}</td>
                    <td>{t.status === 'active' ? <Link to={`/settings/provisioning?revoke=${t.id}`}>Revoke…</Link> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p className="muted">No tokens yet.</p>
        )}
      </section>

      <section aria-labelledby="scim-groups" style={{ marginTop: '2rem' }}>
        <h2 id="scim-groups">Groups and roles</h2>
        <p className="muted">
          Groups appear here once the identity provider pushes them. A provisioned user gets the role of its mapped group with the lowest priority number; in no mapped group, Read
          Only (Client for client users). A client user only gets client roles: a mapping to another role is skipped for them and listed below.
        </p>
        {groups.length ? (
          <TableScroll label="Directory groups">
            <table>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Members</th>
                  <th scope="col">Role and priority</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr key={g.id}>
                    <td>{g.displayName}</td>
                    <td>{g.members}</td>
                    <td>
                      <Form method="post" className="toolbar" aria-label={`Mapping of ${g.displayName}`}>
                        <input type="hidden" name="intent" value="mapGroup" />
                        <input type="hidden" name="groupId" value={g.id} />
                        <Select label={`Role for ${g.displayName}`} name="roleId" options={roleOptions} defaultValue={g.roleId ?? ''} />
                        <Field
                          label="Priority"
                          name="priority"
                          type="number"
                          hint="1 is first"
                          defaultValue={g.priority === null ? '' : String(g.priority)}
                          errors={data?.intent === 'mapGroup' && data.groupId === g.id ? (data.fieldErrors?.priority ?? undefined) : undefined}
                        />
                        <button type="submit" className="secondary">
                          Save
                        </button>
                        {data?.intent === 'mapGroup' && data.groupId === g.id ? <FormAlert message={data.message} /> : null}
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p className="muted">No groups pushed yet.</p>
        )}
        {kept.length ? (
          <div aria-label="Roles kept">
            <h3>Roles not from groups</h3>
            <ul>
              {kept.map((k) => (
                <li key={k.email}>{k.message}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {skipped.length ? (
          <div aria-label="Skipped mappings">
            <h3>Skipped mappings</h3>
            <ul>
              {skipped.map((g) => (
                <li key={g.id}>
                  {g.displayName} → {g.roleName}: skipped for {g.skipped.map((s) => `${s.email} (${s.kind} user)`).join(', ')}, whose kind this role does not fit.
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>
    </div>
  );
}
