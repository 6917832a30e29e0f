import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { attempt } from '~/utils/errors';
import { parseForm, refusal } from '~/utils/forms';
import { PERMISSION_DESCRIPTIONS, describePermission } from '~/utils/permission-descriptions';
import { PERMISSIONS } from '../../server/contract/permissions';
import { createRoleInput, updateRoleInput } from '../../server/contract/roles';
import { AUDIENCES, AUDIENCE_LABELS, AUDIENCE_OF_KIND, SEAT_LABELS, SEAT_TYPES } from '../../server/contract/seats';
import { TableScroll } from '~/components/table-scroll';

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

export async function loader({ context, request }: LoaderFunctionArgs) {
  const [roles, me] = await Promise.all([context.trpc.roles.list(), context.trpc.auth.me()]);
  const canManage = me.permissions.includes('roles.manage');
  // ?edit=<id> opens that role's form; an id that is not one of the roles opens nothing.
  const edit = new URL(request.url).searchParams.get('edit');
  const editing = canManage ? (roles.find((role) => role.id === edit) ?? null) : null;
  return json({ roles, canManage, editingId: editing?.id ?? null });
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

const usersLabel = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;

export default function Roles() {
  const { roles, canManage, editingId } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errorsFor = (id: string | null) => (data && data.id === id ? (data.result.error ?? {}) : {});
  const editing = roles.find((role) => role.id === editingId) ?? null;
  return (
    <>
      <h1>Roles</h1>
      <p className="muted">A user may only hold a role of its kind's audience. The Owner role always has every permission.</p>
      {editing ? (
        editing.key === 'owner' ? (
          <p className="notice">The Owner role always has every permission and cannot be changed.</p>
        ) : (
          <Form method="post" action={`/roles?edit=${editing.id}`} className="stack panel role-edit" aria-labelledby="edit-role">
            <h2 id="edit-role">Edit {editing.name}</h2>
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="id" value={editing.id} />
            <FormAlert message={[...(errorsFor(editing.id)[''] ?? []), ...(errorsFor(editing.id).permissions ?? [])]} />
            <Field label="Name" name="name" defaultValue={editing.name} errors={errorsFor(editing.id).name ?? undefined} required />
            <p className="muted">Audience: {AUDIENCE_LABELS[editing.audience]} (cannot be changed)</p>
            <fieldset className="permission-choices">
              <legend>Permissions</legend>
              {PERMISSIONS.map((p) => (
                <label key={p}>
                  <input type="checkbox" name="permissions" value={p} defaultChecked={editing.permissions.some((held) => held === p)} />
                  <span>
                    {PERMISSION_DESCRIPTIONS[p]} <code className="hint">{p}</code>
                  </span>
                </label>
              ))}
            </fieldset>
            <div className="actions">
              <button type="submit">Save {editing.name}</button>
              <Link to="/roles" className="button secondary">
                Cancel
              </Link>
            </div>
          </Form>
        )
      ) : null}
      <TableScroll label="Roles">
        <table className="roles">
          <thead>
            <tr>
              <th>Role</th>
              <th>Audience</th>
              <th>Permissions</th>
              <th>Users</th>
              {canManage ? (
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {roles.map((role) => (
              <tr key={role.id} className={role.id === editingId ? 'editing' : undefined} data-role={role.name}>
                <td>
                  <strong>{role.name}</strong>
                  {role.builtIn ? (
                    <>
                      {' '}
                      <span className="badge">Built-in</span>
                    </>
                  ) : null}
                </td>
                <td>{AUDIENCE_LABELS[role.audience]}</td>
                <td>
                  {role.permissions.length ? (
                    <ul className="permission-list">
                      {role.permissions.map((p) => (
                        <li key={p} title={p}>
                          {describePermission(p)}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">No administrative permissions</span>
                  )}
                </td>
                <td>
                  <Link to={`/users?roleId=${role.id}`} aria-label={`${usersLabel(role.userCount)} with the ${role.name} role`}>
                    {usersLabel(role.userCount)}
                  </Link>
                </td>
                {canManage ? (
                  <td>
                    {role.key === 'owner' ? (
                      <span className="muted">Fixed</span>
                    ) : (
                      <Link to={`/roles?edit=${role.id}`} aria-label={`Edit ${role.name}`}>
                        Edit
                      </Link>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {canManage ? (
        <Form method="post" action="/roles" className="stack panel" style={{ marginTop: '1.5rem' }}>
          <h2>New role</h2>
          <input type="hidden" name="intent" value="create" />
          <FormAlert message={[...(errorsFor(null)[''] ?? []), ...(errorsFor(null).permissions ?? [])]} />
          <Field label="Name" name="name" errors={errorsFor(null).name ?? undefined} required />
          <Select label="Audience" name="audience" options={AUDIENCE_OPTIONS} errors={errorsFor(null).audience ?? undefined} />
          <fieldset className="permission-choices">
            <legend>Permissions</legend>
            {PERMISSIONS.map((p) => (
              <label key={p}>
                <input type="checkbox" name="permissions" value={p} />
                <span>
                  {PERMISSION_DESCRIPTIONS[p]} <code className="hint">{p}</code>
                </span>
              </label>
            ))}
          </fieldset>
          <button type="submit">Create role</button>
        </Form>
      ) : null}
    </>
  );
}
