import type { Knex } from 'knex';

/**
 * SPEC "Single sign-on": a tenant's one identity provider. Protocol settings live in `config`
 * (OIDC issuer, client id and secret; SAML IdP metadata and what was read from it), so both
 * protocols share the row that says whether a tenant signs in through SSO at all — which
 * provisioning needs too ("a provisioned user is active when the tenant has single sign-on").
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table sso_connections (
      tenant_id uuid primary key references tenants,
      protocol text not null check (protocol in ('oidc', 'saml')),
      display_name text not null,
      password_sign_in text not null default 'everyone' check (password_sign_in in ('everyone', 'owners')),
      jit_provisioning boolean not null default false,
      config jsonb not null,
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    alter table sso_connections enable row level security;
    alter table sso_connections force row level security;
    create policy tenant_isolation on sso_connections
      using (tenant_id = current_tenant_id()) with check (tenant_id = current_tenant_id());
    grant select, insert, update, delete on sso_connections to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw('drop table sso_connections;');
}
