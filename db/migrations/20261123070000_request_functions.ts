import type { Knex } from 'knex';

/**
 * Both functions run on every request that uses them, so each connection should plan their query
 * once. A security-definer SQL function is planned again on every call; a plpgsql one keeps its
 * plan for the connection.
 *
 * user_search_rows() also returns whole rows where user_search_ids() returned ids, which the
 * caller then had to look up again by primary key. Isolation is unchanged: it reads only the
 * tenant its transaction has set, and returns nothing when none is set.
 *
 * Both are `language sql` again since 20261201000000_sql_request_functions: PostgreSQL 18 caches
 * SQL functions' plans too, and plpgsql measured no faster there.
 *
 * Frozen SQL text, as it ran when this migration was written (it once built it from the earlier
 * migrations' exports, so changing those would have changed what this one runs).
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text) returns table (session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
                     session_idle_minutes integer, status user_status, email text, must_change_password boolean, permissions text[])
      language plpgsql stable security definer set search_path = public, pg_temp rows 1 as $fn$
      begin
        return query select s.id, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, t.session_idle_minutes,
               u.status, u.email, u.must_change_password, r.permissions
        from sessions s
        join tenants t on t.id = s.tenant_id
        join users u on u.id = s.user_id
        join roles r on r.id = u.role_id
        where s.token_hash = session_actor.token_hash;
      end
      $fn$;

    
    create function user_search_rows(pattern text) returns setof users
      language plpgsql stable security definer set search_path = public, pg_temp rows 100 as $fn$
      begin
        return query
          select * from users
          where tenant_id = current_tenant_id() and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like pattern;
      end
      $fn$;
    revoke all on function user_search_rows(text) from public;
    grant execute on function user_search_rows(text) to seatwise_web;
    drop function user_search_ids(text);
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text) returns table (session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
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
    
    create function user_search_ids(pattern text) returns setof uuid
      language plpgsql stable security definer set search_path = public, pg_temp rows 100 as $fn$
      begin
        return query
          select id from users
          where tenant_id = current_tenant_id() and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like pattern;
      end
      $fn$;
    revoke all on function user_search_ids(text) from public;
    grant execute on function user_search_ids(text) to seatwise_web;
    drop function user_search_rows(text);
  `);
}
