import type { Knex } from 'knex';

/**
 * users.list searches names, email and user name by case-insensitive substring; a trigram index
 * on one concatenated expression keeps that fast at 100,000 users per tenant.
 *
 * Under row-level security PostgreSQL evaluates the tenant policy before any operator that is
 * not leakproof, and LIKE is not, so the index would never be used. user_search_ids() runs the
 * indexed match as the table owner but only inside the tenant the transaction has set: the
 * same isolation, with the index.
 *
 * The SQL is frozen text, as it ran when this migration was written: a migration never changes
 * once applied. The trigram index is on exactly the expression user_search_ids() matches; every
 * later search function must use it verbatim.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create extension if not exists pg_trgm;
    
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
    create index users_search on users using gin (
      lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, '')) gin_trgm_ops
    );
    create index users_tenant_name on users (tenant_id, lower(display_name), id);
    create index users_tenant_created on users (tenant_id, created_at desc, id desc);
    create index users_tenant_sign_in on users (tenant_id, (coalesce(last_sign_in_at, '-infinity')) desc, id desc);
    create index users_role on users (tenant_id, role_id);
    create index audit_events_target on audit_events (tenant_id, target_id, id desc);
    create index audit_events_actor on audit_events (tenant_id, actor_id, id desc);
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    drop function user_search_ids(text);
    drop index users_search, users_tenant_name, users_tenant_created, users_tenant_sign_in, users_role,
      audit_events_target, audit_events_actor;
  `);
}
