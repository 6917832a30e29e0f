import type { Knex } from 'knex';

/**
 * Fixed-window counters shared by every web instance (a counter in memory would let each instance
 * allow the full limit). Keys name an IP or an API key, never tenant data, so no row-level security.
 */
export async function up(knex: Knex) {
  await knex.raw(`
    create table rate_limits (
      key text not null,
      window_start timestamptz not null,
      hits int not null default 1,
      primary key (key, window_start)
    );
    grant select, insert, update, delete on rate_limits to seatwise_web;
  `);
}

export async function down(knex: Knex) {
  await knex.raw('drop table rate_limits');
}
