import type { Knex } from 'knex';

/** SPEC "API users and keys": only a SHA-256 hash and a short visible prefix are kept. */
export async function up(knex: Knex) {
  await knex.raw(`
    create table api_keys (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      user_id uuid not null,
      name text not null check (length(name) between 1 and 100),
      prefix text not null,
      key_hash text not null unique,
      created_by uuid,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    );
    create index api_keys_user on api_keys (tenant_id, user_id, created_at desc);
    alter table api_keys enable row level security;
    alter table api_keys force row level security;
    create policy tenant_isolation on api_keys
      using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
    grant select, insert, update on api_keys to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw('drop table api_keys');
}
