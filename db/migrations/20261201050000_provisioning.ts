import type { Knex } from 'knex';

/**
 * SPEC "Directory provisioning (SCIM 2.0)": provisioning tokens (hash and visible prefix only),
 * the groups an identity provider pushes with their members and the role each is mapped to, and
 * on users the link to the directory. The SCIM id of a user is its Seatwise id; `scim_linked`
 * says whether the directory manages it (DELETE unlinks; SCIM then answers 404 for it).
 * `scim_user_name` keeps a SCIM userName that is not an email (Entra ID may send an identifier);
 * otherwise the userName is the email.
 * Audit events and seat history gain the actor type "directory".
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table scim_tokens (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      name text not null check (length(name) between 1 and 100),
      prefix text not null,
      token_hash text not null unique,
      created_by uuid,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index scim_tokens_tenant on scim_tokens (tenant_id, created_at desc);

    create table scim_groups (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      display_name text not null check (length(display_name) between 1 and 256),
      external_id text,
      role_id uuid,
      priority int,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, id),
      foreign key (tenant_id, role_id) references roles (tenant_id, id)
    );
    create unique index scim_groups_display_name_key on scim_groups (tenant_id, lower(display_name));

    create table scim_group_members (
      tenant_id uuid not null,
      group_id uuid not null,
      user_id uuid not null,
      primary key (tenant_id, group_id, user_id),
      foreign key (tenant_id, group_id) references scim_groups (tenant_id, id) on delete cascade,
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    );
    create index scim_group_members_user on scim_group_members (tenant_id, user_id);

    alter table users
      add column external_id text,
      add column scim_user_name text,
      add column scim_linked boolean not null default false,
      add column provisioned_at timestamptz,
      add column department text,
      add column employee_number text;

    create unique index users_scim_user_name_key on users (tenant_id, lower(scim_user_name)) where scim_user_name is not null;

    alter table audit_events drop constraint audit_events_actor_type_check;
    alter table audit_events add constraint audit_events_actor_type_check
      check (actor_type in ('user', 'api_key', 'worker', 'stripe', 'system', 'directory'));
  `);
  for (const table of ['scim_tokens', 'scim_groups', 'scim_group_members']) {
    await knex.raw(`
      alter table ${table} enable row level security;
      alter table ${table} force row level security;
      create policy tenant_isolation on ${table}
        using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
    `);
  }
  await knex.raw(`
    grant select, insert, update on scim_tokens to seatwise_web;
    grant select, insert, update, delete on scim_groups, scim_group_members to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    drop table scim_group_members;
    drop table scim_groups;
    drop table scim_tokens;
    alter table users drop column external_id, drop column scim_user_name, drop column scim_linked, drop column provisioned_at, drop column department, drop column employee_number;
    alter table audit_events drop constraint audit_events_actor_type_check;
    alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('user', 'api_key', 'worker', 'stripe', 'system'));
  `);
}
