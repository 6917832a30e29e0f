import type { Knex } from 'knex';
import * as init from './20261123000000_init';
import * as rateLimits from './20261123010000_rate_limits';
import * as userSearch from './20261123020000_user_search';
import * as apiKeys from './20261123030000_api_keys';
import * as seatAlerts from './20261123040000_seat_alerts';
import * as billing from './20261123050000_billing';
import * as sessionActor from './20261123060000_session_actor';
import * as requestFunctions from './20261123070000_request_functions';
import * as sqlRequestFunctions from './20261201000000_sql_request_functions';
import * as seatHoldingChanges from './20261201010000_seat_holding_changes';
import * as apiKeyRequestFunctions from './20261201020000_api_key_request_functions';
import * as imports from './20261201030000_imports';
import * as ssoConnections from './20261201040000_sso_connections';
import * as provisioning from './20261201050000_provisioning';
import * as singleSignOn from './20261201060000_single_sign_on';
import * as scimTokenPermissions from './20261201070000_scim_token_permissions';

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
  // The file was 20261123070000_plan_once.ts, named after an optimisation; it is named now after
  // what it creates. Its name in knex_migrations stays the one databases have recorded, or knex
  // would see an unknown applied migration (and refuse) and a new pending one (and run it again).
  '20261123070000_plan_once': requestFunctions,
  '20261201000000_sql_request_functions': sqlRequestFunctions,
  '20261201010000_seat_holding_changes': seatHoldingChanges,
  '20261201020000_api_key_request_functions': apiKeyRequestFunctions,
  '20261201030000_imports': imports,
  '20261201040000_sso_connections': ssoConnections,
  '20261201050000_provisioning': provisioning,
  '20261201060000_single_sign_on': singleSignOn,
  '20261201070000_scim_token_permissions': scimTokenPermissions,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
