import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { PERMISSIONS } from '../../server/contract/permissions';
import { createRoleInput, updateRoleInput } from '../../server/contract/roles';
import { AUDIENCES, AUDIENCE_LABELS, AUDIENCE_OF_KIND, SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';

export const meta: MetaFunction = () => [{ title: 'Roles · Seatwise' }];

/** Who may hold a role of each audience, in the seat names the reference documentation uses. */
const AUDIENCE_OPTIONS = AUDIENCES.map((audience) => ({
  value: audience,
  label: `${AUDIENCE_LABELS[audience]} (${SEAT_TYPES.filter((kind) => AUDIENCE_OF_KIND[kind] === audience)
    .map((kind) => `${SEAT_LABELS[kind]}s`)
    .join(', ')})`,
}));

/**
 * The role forms post their checked permissions; none checked posts nothing, which here means
 * "no permissions", so the list is required and Conform reads a missing one as empty.
 */
const roleForm = z.discriminatedUnion('intent', [
  createRoleInput.extend({ intent: z.literal('create'), permissions: createRoleInput.shape.permissions.unwrap() }),
  updateRoleInput.extend({ intent: z.literal('update'), name: updateRoleInput.shape.name.unwrap(), permissions: updateRoleInput.shape.permissions.unwrap() }),
]);

export async function loader({ context }: LoaderFunctionArgs) {
  const [roles, me] = await Promise.all([context.trpc.roles.list(), context.trpc.auth.me()]);
  return json({ roles, canManage: me.permissions.includes('roles.manage') });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const id = formData.get('id');
  const target = typeof id === 'string' ? id : null;
  const submission = parseForm(formData, roleForm);
  if (submission.status !== 'success') return json({ id: target, result: submission.reply() }, { status: 400 });
  const form = submission.value;
  const result = await attempt(context, () =>
    form.intent === 'update'
      ? context.trpc.roles.update({ id: form.id, name: form.name, permissions: form.permissions })
      : context.trpc.roles.create({ name: form.name, audience: form.audience, permissions: form.permissions }),
  );
  if (!result.ok) return json({ id: target, result: refusal(submission, result.errors) }, { status: result.status });
  return redirect('/roles');
}

export default function Roles() {
  const { roles, canManage } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errorsFor = (id: string | null) => (data && data.id === id ? (data.result.error ?? {}) : {});
  return (
    <>
      <h1>Roles</h1>
      <p className="muted">A user may only hold a role of its kind's audience. The Owner role always has every permission.</p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Role</th>
              <th>Audience</th>
              <th>Permissions</th>
              <th>Users</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((role) => (
              <tr key={role.id}>
                <td>
                  {canManage && role.key !== 'owner' ? (
                    <Form method="post" className="stack">
                      <input type="hidden" name="intent" value="update" />
                      <input type="hidden" name="id" value={role.id} />
                      <FormAlert message={[...(errorsFor(role.id)[''] ?? []), ...(errorsFor(role.id).name ?? []), ...(errorsFor(role.id).permissions ?? [])]} />
                      <input name="name" defaultValue={role.name} aria-label={`Name of ${role.name}`} />
                      <div className="checks">
                        {PERMISSIONS.map((p) => (
                          <label key={p}>
                            <input type="checkbox" name="permissions" value={p} defaultChecked={role.permissions.some((held) => held === p)} /> {p}
                          </label>
                        ))}
                      </div>
                      <button type="submit" className="secondary">
                        Save {role.name}
                      </button>
                    </Form>
                  ) : (
                    <strong>{role.name}</strong>
                  )}
                </td>
                <td>{AUDIENCE_LABELS[role.audience]}</td>
                <td>{role.permissions.length ? role.permissions.join(', ') : <span className="muted">none</span>}</td>
                <td>{role.userCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage ? (
        <Form method="post" className="stack panel" style={{ marginTop: '1.5rem' }}>
          <h2>New role</h2>
          <input type="hidden" name="intent" value="create" />
          <FormAlert message={[...(errorsFor(null)[''] ?? []), ...(errorsFor(null).permissions ?? [])]} />
          <Field label="Name" name="name" errors={errorsFor(null).name ?? undefined} required />
          <Select label="Audience" name="audience" options={AUDIENCE_OPTIONS} errors={errorsFor(null).audience ?? undefined} />
          <div className="checks">
            {PERMISSIONS.map((p) => (
              <label key={p}>
                <input type="checkbox" name="permissions" value={p} /> {p}
              </label>
            ))}
          </div>
          <button type="submit">Create role</button>
        </Form>
      ) : null}
    </>
  );
}
