import type { Knex } from 'knex';
import { searchFunction } from './20261123020000_user_search';
import { SESSION_ACTOR_COLUMNS, SESSION_ACTOR_QUERY } from './20261123060000_session_actor';

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
