import type { Knex } from 'knex';
import * as init from './20261123000000_init';
import * as rateLimits from './20261123010000_rate_limits';
import * as userSearch from './20261123020000_user_search';
import * as apiKeys from './20261123030000_api_keys';
import * as seatAlerts from './20261123040000_seat_alerts';
import * as billing from './20261123050000_billing';
import * as sessionActor from './20261123060000_session_actor';
import * as planOnce from './20261123070000_plan_once';

/**
 * Listed here rather than discovered on disk: knex's own loader import()s .ts files, which
 * Node 20 cannot do, and this list works the same under tsx, vitest and a compiled build.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261123000000_init': init,
  '20261123010000_rate_limits': rateLimits,
  '20261123020000_user_search': userSearch,
  '20261123030000_api_keys': apiKeys,
  '20261123040000_seat_alerts': seatAlerts,
  '20261123050000_billing': billing,
  '20261123060000_session_actor': sessionActor,
  '20261123070000_plan_once': planOnce,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
