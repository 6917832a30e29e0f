import type { Knex } from 'knex';

/**
 * SPEC "Bulk import and export": an upload as previewed, kept until its run. The parsed cells
 * (mapped columns only) and the preview's classification are stored, so the `users.import` job
 * reruns from the start when a worker is killed, and the report can be read afterwards.
 * Keys lead with tenant_id (README "Past one PostgreSQL").
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table imports (
      tenant_id uuid not null references tenants,
      id uuid not null default gen_random_uuid(),
      created_by uuid,
      created_by_label text,
      source text not null,
      file_name text,
      update_existing boolean not null default false,
      send_invitations boolean not null default true,
      status text not null default 'previewed' check (status in ('previewed', 'queued', 'running', 'done', 'failed')),
      headers jsonb not null,
      mapping jsonb not null,
      cells jsonb not null,
      results jsonb not null,
      total int not null,
      done int not null default 0,
      counts jsonb not null,
      seats jsonb not null,
      message text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz,
      primary key (tenant_id, id),
      foreign key (tenant_id, created_by) references users (tenant_id, id)
    );
    create index imports_recent on imports (tenant_id, created_at desc);
    alter table imports enable row level security;
    alter table imports force row level security;
    create policy tenant_isolation on imports
      using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
    grant select, insert, update on imports to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw('drop table imports;');
}
