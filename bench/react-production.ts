/**
 * Preloaded into the benches' web process (startWeb's `reactProduction`): React's (and React
 * Router's) production build, as a production web process runs it. The bench's web process runs
 * NODE_ENV=test (the Stripe emulator, plain-HTTP cookies), under which React would load its
 * development build, 2–4× slower to render. React picks its build when first required; these
 * requires, with NODE_ENV=production for their duration only, are that first time, and the
 * app's later imports share them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const previous = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
for (const name of ['react', 'react/jsx-runtime', 'react-dom', 'react-dom/server', 'react-router', 'react-router-dom']) require(name);
process.env.NODE_ENV = previous;
