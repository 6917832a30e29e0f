import type { Knex } from 'knex';

/**
 * A session cookie names no tenant, and row-level security hides every session until a tenant is
 * set. session_actor() finds one session by its token's hash, as the table owner, so that the web
 * role can open a request's transaction, resolve its session and set its tenant in one round trip.
 * It reveals nothing without the hash of a live token, like the owner's look-up it replaces.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create function session_actor(token_hash text)
      returns table (session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
                     session_idle_minutes integer, status user_status, email text, must_change_password boolean, permissions text[])
      language sql stable security definer set search_path = public, pg_temp as $fn$
        select s.id, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, t.session_idle_minutes,
               u.status, u.email, u.must_change_password, r.permissions
        from sessions s
        join tenants t on t.id = s.tenant_id
        join users u on u.id = s.user_id
        join roles r on r.id = u.role_id
        where s.token_hash = session_actor.token_hash
      $fn$;
    revoke all on function session_actor(text) from public;
    grant execute on function session_actor(text) to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`drop function session_actor(text)`);
}
