import type { Knex } from 'knex';

/**
 * An API key request's look-up travels in the message that opens its transaction, as a session's
 * does (session_actor(), 20261123060000), in two functions, each callable by the web role:
 *
 * - api_key_hit() counts the request's hit in the key's rate limit and returns the hits so far in
 *   the window (null for an unknown key). It runs before BEGIN and commits on its own, in the same
 *   message (`select api_key_hit(…); commit; begin; …`): the counter's row lock then lasts one
 *   statement, not the request, so concurrent requests with one key do not queue on it, and a
 *   request that fails still counts.
 * - api_key_actor() finds the key with its user's status, email and permissions, for the opening
 *   that sets the tenant, like session_actor().
 *
 * Neither reveals anything without the hash of a key; the rate_limits row key is the limit's
 * prefix followed by the key's id, as before (server/domain/rate-limits.ts, rateLimitKey()).
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create function api_key_hit(key_hash text, counter_prefix text, window_start timestamptz, calls integer)
      returns integer
      language sql volatile security definer set search_path = public, pg_temp as $fn$
        insert into rate_limits (key, window_start, hits)
          select api_key_hit.counter_prefix || k.id, api_key_hit.window_start, api_key_hit.calls
          from api_keys k where k.key_hash = api_key_hit.key_hash
        on conflict (key, window_start) do update set hits = rate_limits.hits + excluded.hits
        returning hits
      $fn$;
    revoke all on function api_key_hit(text, text, timestamptz, integer) from public;
    grant execute on function api_key_hit(text, text, timestamptz, integer) to seatwise_web;

    create function api_key_actor(key_hash text)
      returns table (key_id uuid, tenant_id uuid, user_id uuid, prefix text, expires_at timestamptz, revoked_at timestamptz,
                     last_used_at timestamptz, status user_status, email text, permissions text[])
      language sql stable security definer set search_path = public, pg_temp rows 1 as $fn$
        select k.id, k.tenant_id, k.user_id, k.prefix, k.expires_at, k.revoked_at, k.last_used_at, u.status, u.email, r.permissions
        from api_keys k
        join users u on u.id = k.user_id
        join roles r on r.id = u.role_id
        where k.key_hash = api_key_actor.key_hash
      $fn$;
    revoke all on function api_key_actor(text) from public;
    grant execute on function api_key_actor(text) to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    drop function api_key_actor(text);
    drop function api_key_hit(text, text, timestamptz, integer);
  `);
}
