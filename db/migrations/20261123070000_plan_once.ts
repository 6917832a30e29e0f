import type { Knex } from 'knex';
import { searchFunction } from './20261123020000_user_search';

const SESSION_ACTOR_COLUMNS = `session_id uuid, tenant_id uuid, user_id uuid, last_seen_at timestamptz, expires_at timestamptz,
                     session_idle_minutes integer, status user_status, email text, must_change_password boolean, permissions text[]`;

const SESSION_ACTOR_QUERY = `select s.id, s.tenant_id, s.user_id, s.last_seen_at, s.expires_at, t.session_idle_minutes,
               u.status, u.email, u.must_change_password, r.permissions
        from sessions s
        join tenants t on t.id = s.tenant_id
        join users u on u.id = s.user_id
        join roles r on r.id = u.role_id
        where s.token_hash = session_actor.token_hash`;

/**
 * Both functions run on every request that uses them, so each connection should plan their query
 * once. A security-definer SQL function is planned again on every call; a plpgsql one keeps its
 * plan for the connection.
 *
 * user_search_rows() also returns whole rows where user_search_ids() returned ids, which the
 * caller then had to look up again by primary key. Isolation is unchanged: it reads only the
 * tenant its transaction has set, and returns nothing when none is set.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text) returns table (${SESSION_ACTOR_COLUMNS})
      language plpgsql stable security definer set search_path = public, pg_temp rows 1 as $fn$
      begin
        return query ${SESSION_ACTOR_QUERY};
      end
      $fn$;

    ${searchFunction('user_search_rows', 'setof users', '*')}
    drop function user_search_ids(text);
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    create or replace function session_actor(token_hash text) returns table (${SESSION_ACTOR_COLUMNS})
      language sql stable security definer set search_path = public, pg_temp as $fn$
        ${SESSION_ACTOR_QUERY}
      $fn$;
    ${searchFunction('user_search_ids', 'setof uuid', 'id')}
    drop function user_search_rows(text);
  `);
}
