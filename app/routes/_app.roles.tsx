import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Field, FormAlert } from '~/components/field';
import { Select } from '~/components/select';
import { attempt } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Roles · Seatwise' }];

const PERMISSIONS = ['users.read', 'users.manage', 'billing.manage', 'roles.manage', 'audit.read', 'settings.manage'];
const AUDIENCES = [
  { value: 'internal', label: 'Internal (users)' },
  { value: 'client', label: 'Client (client users)' },
  { value: 'api', label: 'API (API users)' },
];

export async function loader({ context }: LoaderFunctionArgs) {
  const [roles, me] = await Promise.all([context.trpc.roles.list(), context.trpc.auth.me()]);
  return json({ roles, canManage: me.permissions.includes('roles.manage') });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const permissions = form.getAll('permissions').map(String);
  const name = String(form.get('name') ?? '');
  const id = form.get('id');
  const result = await attempt(context, () =>
    id
      ? context.trpc.roles.update({ id: String(id), name, permissions: permissions as never })
      : context.trpc.roles.create({ name, audience: String(form.get('audience')) as never, permissions: permissions as never }),
  );
  if (!result.ok) return json({ id: id ? String(id) : null, errors: result.errors }, { status: result.status });
  return redirect('/roles');
}

export default function Roles() {
  const { roles, canManage } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const errorsFor = (id: string | null) => (data && data.id === id ? data.errors : null);
  return (
    <>
      <h1>Roles</h1>
      <p className="muted">A user may only hold a role of its kind's audience. The Owner role always has every permission.</p>
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
                    <input type="hidden" name="id" value={role.id} />
                    <FormAlert message={errorsFor(role.id)?.message} />
                    <input name="name" defaultValue={role.name} aria-label={`Name of ${role.name}`} />
                    <div className="checks">
                      {PERMISSIONS.map((p) => (
                        <label key={p}>
                          <input type="checkbox" name="permissions" value={p} defaultChecked={role.permissions.includes(p as never)} /> {p}
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
              <td>{role.audience}</td>
              <td>{role.permissions.length ? role.permissions.join(', ') : <span className="muted">none</span>}</td>
              <td>{role.userCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage ? (
        <Form method="post" className="stack panel" style={{ marginTop: '1.5rem' }}>
          <h2>New role</h2>
          <FormAlert message={errorsFor(null) && !Object.keys(errorsFor(null)!.fieldErrors).length ? errorsFor(null)!.message : null} />
          <Field label="Name" name="name" errors={errorsFor(null)?.fieldErrors.name} required />
          <Select label="Audience" name="audience" options={AUDIENCES} />
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
