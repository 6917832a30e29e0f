import type { Knex } from 'knex';

/**
 * SPEC "Seat history": every change in who holds a seat, appended in the transaction that makes it
 * (server/domain/users/status.ts). Append-only: the web role may read and insert, never change.
 * Purchased seats already have their ledger (seat_ledger); it gets the index the history reads by.
 *
 * Existing tenants are backfilled from what they recorded: each user took a seat when created,
 * and each audited status change between a seat-holding and a seatless status moved it. The
 * backfill runs tenant by tenant with the tenant set, so row-level security holds for any role.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table seat_holding_changes (
      id bigint generated always as identity,
      tenant_id uuid not null references tenants,
      user_id uuid not null,
      seat_type seat_type not null,
      holds boolean not null,
      actor_type text not null,
      actor_label text,
      reason text not null,
      created_at timestamptz not null,
      -- Keys lead with tenant_id, as a table distributed by tenant needs (README "Past one PostgreSQL").
      primary key (tenant_id, id),
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    );
    -- seats.history reads every change of the tenant up to a time: from the index alone.
    create index seat_holding_changes_series on seat_holding_changes (tenant_id, created_at) include (seat_type, holds);
    create index seat_holding_changes_user on seat_holding_changes (tenant_id, seat_type, user_id, created_at desc, id desc);
    create index seat_ledger_series on seat_ledger (tenant_id, seat_type, created_at);
    alter table seat_holding_changes enable row level security;
    alter table seat_holding_changes force row level security;
    create policy tenant_isolation on seat_holding_changes
      using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
    grant select, insert on seat_holding_changes to seatwise_web;

    do $backfill$
    declare t record;
    begin
      for t in select id from tenants loop
        perform set_config('app.tenant_id', t.id::text, true);
        insert into seat_holding_changes (tenant_id, user_id, seat_type, holds, actor_type, actor_label, reason, created_at)
        select u.tenant_id, u.id, u.kind, true, 'system', 'backfill', 'created', u.created_at
        from users u where u.tenant_id = t.id and not u.is_system;
        insert into seat_holding_changes (tenant_id, user_id, seat_type, holds, actor_type, actor_label, reason, created_at)
        select a.tenant_id, u.id, u.kind, (a.after->>'status') in ('invited', 'active', 'suspended', 'locked'),
               a.actor_type, coalesce(a.actor_label, 'backfill'), coalesce(a.after->>'reason', 'status ' || (a.after->>'status')), a.created_at
        from audit_events a join users u on u.tenant_id = a.tenant_id and u.id::text = a.target_id
        where a.tenant_id = t.id and a.action = 'user.status_changed' and not u.is_system
          and ((a.before->>'status') in ('invited', 'active', 'suspended', 'locked'))
            <> ((a.after->>'status') in ('invited', 'active', 'suspended', 'locked'))
        order by a.id;
      end loop;
      perform set_config('app.tenant_id', '', true);
    end
    $backfill$;
  `);
}

export async function down(knex: Knex) {
  await knex.raw('drop table seat_holding_changes; drop index seat_ledger_series;');
}
