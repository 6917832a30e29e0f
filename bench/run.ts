import { benchApiKeys } from './api-keys';
import { benchHistory } from './history';
import { benchImport } from './import';
import { benchInactivity } from './inactivity';
import { benchPages } from './pages';
import { benchRequestFunctions } from './request-functions';
import { benchScale } from './scale';
import { benchScim } from './scim';
import { benchSignIn } from './signin';
import { benchUsers } from './users';

const benches: Record<string, () => Promise<void>> = { users: benchUsers, apikey: benchApiKeys, inactivity: benchInactivity, functions: benchRequestFunctions, history: benchHistory, signin: benchSignIn, scale: benchScale, pages: benchPages, import: benchImport, scim: benchScim };
const names = process.argv.slice(2).filter((a) => benches[a]);
if (!names.length) {
  console.error(`Usage: npm run bench -- ${Object.keys(benches).join('|')}`);
  process.exit(2);
}
for (const name of names) await benches[name]();
