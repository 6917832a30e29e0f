import type { Knex } from 'knex';

/**
 * A provisioning token acts with the permissions of the person who created it, as they were at
 * creation (README "Connect Okta / Entra ID"): kept on the token with the name of that person's
 * role then, so neither a later change of the role nor of its holder widens or narrows it.
 * Existing tokens get their creator's current role; a token whose creator is unknown gets none
 * (every change it asks for is refused until an admin creates a new one).
 */
export async function up(knex: Knex) {
  await knex.raw(`
    alter table scim_tokens
      add column permissions text[] not null default '{}',
      add column creator_role_name text;
    update scim_tokens t
       set permissions = r.permissions, creator_role_name = r.name
      from users u join roles r on r.id = u.role_id
     where u.id = t.created_by and u.tenant_id = t.tenant_id;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`alter table scim_tokens drop column permissions, drop column creator_role_name;`);
}
