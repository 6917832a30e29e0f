import type { Knex } from 'knex';

/**
 * session_actor() and user_search_rows() go back to plain `language sql`, with the same signature,
 * attributes and query as the plpgsql versions of 20261123070000 (file _request_functions.ts).
 *
 * They were made plpgsql so that each connection would plan their query once: before PostgreSQL 18,
 * a security-definer SQL function was planned again on every call. PostgreSQL 18 caches the plans
 * of SQL functions too, and `npm run bench -- functions` (bench/request-functions.ts) measured
 * both variants of each side by side on PostgreSQL 18.4, median per call over one connection:
 * session_actor() sql/plpgsql 0.990–1.004× (noise 0.997–1.017×), user_search_rows() 0.998–1.112×
 * (noise 0.994–1.044×, median of five runs 1.017× against 1.019×). Within noise, so the simpler
 * language wins: no plpgsql body, no `return query`.
 *
 * `create or replace` keeps each function's grants (execute for the web role only).
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text)
      returns table (session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
                     session_idle_minutes integer, status user_status, email text, must_change_password boolean, permissions text[])
      language sql stable security definer set search_path = public, pg_temp rows 1 as $fn$
        select s.id, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, t.session_idle_minutes,
               u.status, u.email, u.must_change_password, r.permissions
        from sessions s
        join tenants t on t.id = s.tenant_id
        join users u on u.id = s.user_id
        join roles r on r.id = u.role_id
        where s.token_hash = session_actor.token_hash
      $fn$;

    create or replace function user_search_rows(pattern text) returns setof users
      language sql stable security definer set search_path = public, pg_temp rows 100 as $fn$
        select * from users
        where tenant_id = current_tenant_id() and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like pattern
      $fn$;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text)
      returns table (session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
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

    create or replace function user_search_rows(pattern text) returns setof users
      language plpgsql stable security definer set search_path = public, pg_temp rows 100 as $fn$
      begin
        return query
          select * from users
          where tenant_id = current_tenant_id() and lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) like pattern;
      end
      $fn$;
  `);
}
