import { json, redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, NavLink, Outlet, useLoaderData } from '@remix-run/react';
import { requireMe } from '~/utils/session.server';

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  // SPEC "Sign-in": a user flagged by an admin is kept on the change-password page until done.
  if (me.user.mustChangePassword) throw redirect('/change-password');
  return json({ me });
}

export default function AppLayout() {
  const { me } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="topbar">
        <a href="/dashboard" className="brand">
          Seatwise
        </a>
        <nav>
          <NavLink to="/dashboard">Dashboard</NavLink>
          {me.permissions.includes('users.read') ? <NavLink to="/users">Users</NavLink> : null}
          {me.permissions.includes('users.manage') ? <NavLink to="/import">Import</NavLink> : null}
          {me.permissions.includes('users.read') ? <NavLink to="/roles">Roles</NavLink> : null}
          {me.permissions.includes('billing.manage') ? <NavLink to="/billing">Billing</NavLink> : null}
          {me.permissions.includes('audit.read') ? <NavLink to="/audit">Audit log</NavLink> : null}
          {me.permissions.includes('users.read') ? <NavLink to="/login-history">Sign-ins</NavLink> : null}
          {me.permissions.includes('settings.manage') ? <NavLink to="/settings">Settings</NavLink> : null}
          <NavLink to="/profile">Profile</NavLink>
          <NavLink to="/change-password">Password</NavLink>
        </nav>
        <span className="who">
          {me.user.displayName} · {me.tenant.name}
        </span>
        <Form method="post" action="/logout">
          <button className="secondary" type="submit">
            Sign out
          </button>
        </Form>
      </header>
      <main id="main" className="page">
        <Outlet />
      </main>
    </>
  );
}
