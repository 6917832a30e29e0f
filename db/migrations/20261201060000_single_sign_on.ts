import type { Knex } from 'knex';

/**
 * SPEC "Single sign-on": what signing in through an identity provider needs besides the
 * connection row. Every flow's state lives here, not in a web process's memory, so any instance
 * can finish a sign-in another one started.
 * - users.oidc_subject: the OIDC `sub` a person is linked to on first sign-in.
 * - login_events.method: how an attempt was made (password, saml, oidc).
 * - sso_requests: a started sign-in (OIDC state with its nonce and PKCE verifier, or a SAML
 *   AuthnRequest id), single use, short-lived; also node-saml's InResponseTo cache.
 * - sso_assertions: ids of accepted SAML assertions until they expire, so a replay is refused.
 * - sso_connections.last_test: what "Test connection" received, shown on the settings page.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    alter table users add column oidc_subject text;
    create unique index users_oidc_subject on users (tenant_id, oidc_subject) where oidc_subject is not null;

    alter table login_events add column method text not null default 'password' check (method in ('password', 'saml', 'oidc'));

    alter table sso_connections add column last_test jsonb;

    create table sso_requests (
      id text primary key,
      tenant_id uuid not null references tenants,
      protocol text not null check (protocol in ('oidc', 'saml')),
      purpose text not null check (purpose in ('sign_in', 'test')),
      nonce text,
      code_verifier text,
      return_to text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sso_requests_expiry on sso_requests (expires_at);

    create table sso_assertions (
      tenant_id uuid not null references tenants,
      assertion_id text not null,
      expires_at timestamptz not null,
      primary key (tenant_id, assertion_id)
    );
    create index sso_assertions_expiry on sso_assertions (expires_at);
  `);
  for (const table of ['sso_requests', 'sso_assertions']) {
    await knex.raw(`
      alter table ${table} enable row level security;
      alter table ${table} force row level security;
      create policy tenant_isolation on ${table}
        using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
      grant select, insert, update, delete on ${table} to seatwise_web;
    `);
  }
}

export async function down(knex: Knex) {
  await knex.raw(`
    drop table sso_assertions, sso_requests;
    alter table sso_connections drop column last_test;
    alter table login_events drop column method;
    drop index users_oidc_subject;
    alter table users drop column oidc_subject;
  `);
}
