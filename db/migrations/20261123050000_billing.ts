import type { Knex } from 'knex';

/**
 * SPEC §5: events are stored once by id (before any tenant is known: privileged only), the
 * subscriptions' latest state is kept per tenant, and every change of purchased seats is written
 * to the seat ledger.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table stripe_events (
      id text primary key,
      type text not null,
      payload jsonb not null,
      tenant_id uuid references tenants,
      received_at timestamptz not null default now(),
      processed_at timestamptz
    );

    create table subscriptions (
      id text primary key,
      tenant_id uuid not null references tenants,
      status text not null,
      seat_type seat_type,
      price_id text,
      quantity int not null default 0,
      checkout_session_id text,
      current_period_end timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index subscriptions_tenant on subscriptions (tenant_id);

    create table seat_ledger (
      id bigint generated always as identity primary key,
      tenant_id uuid not null references tenants,
      seat_type seat_type not null,
      purchased_before int not null,
      purchased_after int not null,
      reason text not null,
      stripe_event_id text,
      created_at timestamptz not null default now()
    );
    create index seat_ledger_tenant on seat_ledger (tenant_id, id desc);
  `);
  for (const table of ['subscriptions', 'seat_ledger']) {
    await knex.raw(`
      alter table ${table} enable row level security;
      alter table ${table} force row level security;
      create policy tenant_isolation on ${table}
        using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
      grant select on ${table} to seatwise_web;
    `);
  }
}

export async function down(knex: Knex) {
  await knex.raw('drop table seat_ledger, subscriptions, stripe_events');
}
