import type { Knex } from 'knex';

const TENANT_TABLES = ['seat_pools', 'roles', 'users', 'sessions', 'login_events', 'audit_events', 'one_time_tokens'];

export async function up(knex: Knex) {
  await knex.raw(`
    do $$ begin
      if not exists (select from pg_roles where rolname = 'seatwise_web') then
        create role seatwise_web nologin nosuperuser nobypassrls noinherit;
      end if;
    end $$;
    grant seatwise_web to current_user;

    create type seat_type as enum ('standard', 'client', 'api');
    create type user_status as enum ('invited', 'active', 'suspended', 'locked', 'deactivated', 'banned');
    create type role_audience as enum ('internal', 'client', 'api');

    -- SPEC "Tenant isolation": every policy reads the tenant that the request's transaction set.
    create function current_tenant_id() returns uuid language sql stable as
      $fn$ select nullif(current_setting('app.tenant_id', true), '')::uuid $fn$;

    create table tenants (
      id uuid primary key default gen_random_uuid(),
      slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
      name text not null check (length(name) between 1 and 100),
      stripe_customer_id text unique,
      inactivity_days int not null default 90 check (inactivity_days >= 0),
      inactivity_warning_days int not null default 7 check (inactivity_warning_days >= 0),
      lockout_threshold int not null default 10 check (lockout_threshold between 1 and 100),
      session_idle_minutes int not null default 480 check (session_idle_minutes > 0),
      session_absolute_hours int not null default 168 check (session_absolute_hours > 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index tenants_slug_key on tenants (lower(slug));

    create table seat_pools (
      tenant_id uuid not null references tenants,
      seat_type seat_type not null,
      included int not null check (included >= 0),
      subscribed int not null default 0 check (subscribed >= 0),
      -- SPEC: purchased = included seats + quantities of live subscriptions; derived so it cannot drift.
      purchased int generated always as (included + subscribed) stored,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, seat_type)
    );

    create table roles (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      key text,
      name text not null check (length(name) between 1 and 60),
      audience role_audience not null,
      permissions text[] not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, id),
      unique (tenant_id, key)
    );
    create unique index roles_name_key on roles (tenant_id, lower(name));

    create table users (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      kind seat_type not null,
      email text not null,
      user_name text,
      first_name text not null,
      last_name text not null,
      display_name text not null,
      role_id uuid not null,
      time_zone text not null default 'UTC',
      locale text not null default 'en',
      status user_status not null,
      status_reason text,
      saml_name_id text,
      password_hash text,
      is_system boolean not null default false,
      exempt_from_inactivity boolean not null default false,
      last_sign_in_at timestamptz,
      last_activity_at timestamptz,
      inactivity_warned_at timestamptz,
      failed_sign_in_count int not null default 0,
      must_change_password boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deactivated_at timestamptz,
      unique (tenant_id, id),
      -- A role of another tenant can never be attached, whatever the code does.
      foreign key (tenant_id, role_id) references roles (tenant_id, id),
      check (status <> 'banned' or status_reason is not null),
      check (kind <> 'api' or password_hash is null)
    );
    create unique index users_email_key on users (tenant_id, lower(email));
    create unique index users_user_name_key on users (tenant_id, lower(user_name)) where user_name is not null;
    create index users_tenant_status on users (tenant_id, kind, status);

    create table sessions (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      user_id uuid not null,
      token_hash text not null unique,
      ip text,
      user_agent text,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    );
    create index sessions_user on sessions (tenant_id, user_id);

    create table login_events (
      id bigint generated always as identity primary key,
      -- null when the workspace itself is unknown: such rows are visible to no tenant.
      tenant_id uuid references tenants,
      user_id uuid,
      email text not null,
      ip text,
      user_agent text,
      result text not null,
      message text not null,
      created_at timestamptz not null default now()
    );
    create index login_events_user on login_events (tenant_id, user_id, created_at desc);

    create table audit_events (
      id bigint generated always as identity primary key,
      tenant_id uuid not null references tenants,
      actor_type text not null check (actor_type in ('user', 'api_key', 'worker', 'stripe', 'system')),
      actor_id text,
      actor_label text,
      action text not null,
      target_type text,
      target_id text,
      before jsonb,
      after jsonb,
      ip text,
      created_at timestamptz not null default now()
    );
    create index audit_events_tenant_time on audit_events (tenant_id, created_at desc, id desc);

    create table one_time_tokens (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants,
      user_id uuid not null,
      purpose text not null check (purpose in ('invitation', 'password_reset')),
      token_hash text not null unique,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now(),
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    );

    -- Development mailbox (SMTP_URL unset). Not tenant data: only the privileged role reads it.
    create table dev_mail (
      id bigint generated always as identity primary key,
      "to" text not null,
      subject text not null,
      text text not null,
      html text not null,
      created_at timestamptz not null default now()
    );

    alter table tenants enable row level security;
    alter table tenants force row level security;
    create policy tenant_isolation on tenants
      using (id = current_tenant_id()) with check (id = current_tenant_id());
    grant usage on schema public to seatwise_web;
    grant select, insert, update on tenants to seatwise_web;
  `);

  for (const table of TENANT_TABLES) {
    await knex.raw(`
      alter table ${table} enable row level security;
      alter table ${table} force row level security;
      create policy tenant_isolation on ${table}
        using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
      grant select, insert, update on ${table} to seatwise_web;
    `);
  }
  await knex.raw(`grant delete on sessions, one_time_tokens to seatwise_web`);

  // pg-boss's schema is part of ours so that the web role can enqueue jobs inside its own
  // transactions (STYLE: jobs are enqueued in the caller's transaction).
  await knex.raw(PGBOSS_SCHEMA_V24);
  await knex.raw(`
    grant usage on schema pgboss to seatwise_web;
    grant select on pgboss.queue to seatwise_web;
    grant insert, select (id) on pgboss.job to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw(`
    drop schema pgboss cascade;
    drop table dev_mail, one_time_tokens, audit_events, login_events, sessions, users, roles, seat_pools, tenants;
    drop function current_tenant_id();
    drop type role_audience, user_status, seat_type;
    revoke usage on schema public from seatwise_web;
  `);
}

/**
 * pg-boss 10.4's schema (its version 24), frozen as PgBoss.getConstructionPlans('pgboss') gave it
 * when this migration was written: upgrading pg-boss must not change what this migration creates.
 * A newer pg-boss migrates its schema from this version itself when the worker starts it.
 */
const PGBOSS_SCHEMA_V24 = `
    BEGIN;
    SET LOCAL lock_timeout = '30s';
    SET LOCAL idle_in_transaction_session_timeout = '30s';
    SELECT pg_advisory_xact_lock(
      ('x' || encode(sha224((current_database() || '.pgboss.pgboss')::bytea), 'hex'))::bit(64)::bigint
  );
    
    CREATE SCHEMA IF NOT EXISTS pgboss
  ;

    CREATE TYPE pgboss.job_state AS ENUM (
      'created',
      'retry',
      'active',
      'completed',
      'cancelled',
      'failed'
    )
  ;

    CREATE TABLE pgboss.version (
      version int primary key,
      maintained_on timestamp with time zone,
      cron_on timestamp with time zone,
      monitored_on timestamp with time zone
    )
  ;

    CREATE TABLE pgboss.queue (
      name text,
      policy text,
      retry_limit int,
      retry_delay int,
      retry_backoff bool,
      expire_seconds int,
      retention_minutes int,
      dead_letter text REFERENCES pgboss.queue (name),
      partition_name text,
      created_on timestamp with time zone not null default now(),
      updated_on timestamp with time zone not null default now(),
      PRIMARY KEY (name)
    )
  ;

    CREATE TABLE pgboss.schedule (
      name text REFERENCES pgboss.queue ON DELETE CASCADE,
      cron text not null,
      timezone text,
      data jsonb,
      options jsonb,
      created_on timestamp with time zone not null default now(),
      updated_on timestamp with time zone not null default now(),
      PRIMARY KEY (name)
    )
  ;

    CREATE TABLE pgboss.subscription (
      event text not null,
      name text not null REFERENCES pgboss.queue ON DELETE CASCADE,
      created_on timestamp with time zone not null default now(),
      updated_on timestamp with time zone not null default now(),
      PRIMARY KEY(event, name)
    )
  ;

    CREATE TABLE pgboss.job (
      id uuid not null default gen_random_uuid(),
      name text not null,
      priority integer not null default(0),
      data jsonb,
      state pgboss.job_state not null default('created'),
      retry_limit integer not null default(2),
      retry_count integer not null default(0),
      retry_delay integer not null default(0),
      retry_backoff boolean not null default false,
      start_after timestamp with time zone not null default now(),
      started_on timestamp with time zone,
      singleton_key text,
      singleton_on timestamp without time zone,
      expire_in interval not null default interval '15 minutes',
      created_on timestamp with time zone not null default now(),
      completed_on timestamp with time zone,
      keep_until timestamp with time zone NOT NULL default now() + interval '14 days',
      output jsonb,
      dead_letter text,
      policy text
    ) PARTITION BY LIST (name)
  ;
ALTER TABLE pgboss.job ADD PRIMARY KEY (name, id);
CREATE TABLE pgboss.archive (LIKE pgboss.job);
ALTER TABLE pgboss.archive ADD PRIMARY KEY (name, id);
ALTER TABLE pgboss.archive ADD archived_on timestamptz NOT NULL DEFAULT now();
CREATE INDEX archive_i1 ON pgboss.archive(archived_on);

    CREATE FUNCTION pgboss.create_queue(queue_name text, options json)
    RETURNS VOID AS
    $$
    DECLARE
      table_name varchar := 'j' || encode(sha224(queue_name::bytea), 'hex');
      queue_created_on timestamptz;
    BEGIN

      WITH q as (
      INSERT INTO pgboss.queue (
        name,
        policy,
        retry_limit,
        retry_delay,
        retry_backoff,
        expire_seconds,
        retention_minutes,
        dead_letter,
        partition_name
      )
      VALUES (
        queue_name,
        options->>'policy',
        (options->>'retryLimit')::int,
        (options->>'retryDelay')::int,
        (options->>'retryBackoff')::bool,
        (options->>'expireInSeconds')::int,
        (options->>'retentionMinutes')::int,
        options->>'deadLetter',
        table_name
      )
      ON CONFLICT DO NOTHING
      RETURNING created_on
      )
      SELECT created_on into queue_created_on from q;

      IF queue_created_on IS NULL THEN
        RETURN;
      END IF;

      EXECUTE format('CREATE TABLE pgboss.%I (LIKE pgboss.job INCLUDING DEFAULTS)', table_name);

      EXECUTE format('ALTER TABLE pgboss.%1$I ADD PRIMARY KEY (name, id)', table_name);
      EXECUTE format('ALTER TABLE pgboss.%1$I ADD CONSTRAINT q_fkey FOREIGN KEY (name) REFERENCES pgboss.queue (name) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED', table_name);
      EXECUTE format('ALTER TABLE pgboss.%1$I ADD CONSTRAINT dlq_fkey FOREIGN KEY (dead_letter) REFERENCES pgboss.queue (name) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED', table_name);
      EXECUTE format('CREATE UNIQUE INDEX %1$s_i1 ON pgboss.%1$I (name, COALESCE(singleton_key, '''')) WHERE state = ''created'' AND policy = ''short''', table_name);
      EXECUTE format('CREATE UNIQUE INDEX %1$s_i2 ON pgboss.%1$I (name, COALESCE(singleton_key, '''')) WHERE state = ''active'' AND policy = ''singleton''', table_name);
      EXECUTE format('CREATE UNIQUE INDEX %1$s_i3 ON pgboss.%1$I (name, state, COALESCE(singleton_key, '''')) WHERE state <= ''active'' AND policy = ''stately''', table_name);
      EXECUTE format('CREATE UNIQUE INDEX %1$s_i4 ON pgboss.%1$I (name, singleton_on, COALESCE(singleton_key, '''')) WHERE state <> ''cancelled'' AND singleton_on IS NOT NULL', table_name);
      EXECUTE format('CREATE INDEX %1$s_i5 ON pgboss.%1$I (name, start_after) INCLUDE (priority, created_on, id) WHERE state < ''active''', table_name);

      EXECUTE format('ALTER TABLE pgboss.%I ADD CONSTRAINT cjc CHECK (name=%L)', table_name, queue_name);
      EXECUTE format('ALTER TABLE pgboss.job ATTACH PARTITION pgboss.%I FOR VALUES IN (%L)', table_name, queue_name);
    END;
    $$
    LANGUAGE plpgsql;
  ;

    CREATE FUNCTION pgboss.delete_queue(queue_name text)
    RETURNS VOID AS
    $$
    DECLARE
      table_name varchar;
    BEGIN
      WITH deleted as (
        DELETE FROM pgboss.queue
        WHERE name = queue_name
        RETURNING partition_name
      )
      SELECT partition_name from deleted INTO table_name;

      EXECUTE format('DROP TABLE IF EXISTS pgboss.%I', table_name);
    END;
    $$
    LANGUAGE plpgsql;
  ;
INSERT INTO pgboss.version(version) VALUES ('24');
    COMMIT;
  `;
