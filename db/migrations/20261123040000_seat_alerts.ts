import type { Knex } from 'knex';

/** The highest usage threshold (80 or 100 %) already announced per pool: one email per crossing. */
export async function up(knex: Knex) {
  await knex.raw(`alter table seat_pools add column alerted_percent int not null default 0`);
}

export async function down(knex: Knex) {
  await knex.raw(`alter table seat_pools drop column alerted_percent`);
}
