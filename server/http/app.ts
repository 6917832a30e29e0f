import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import { parse as parseCookies } from 'cookie';
import express, { type ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import { crossSiteProtection } from './csrf';
import { devMailbox } from './dev-mailbox';
import { limitBodies } from './body-limit';
import { health } from './health';
import { jsonBodiesOnly, noStore, refuseKeysInUrls } from './request-guards';
import { withPageErrors } from './page-errors';
import { safePath } from '../shared/logger';
import { stripeWebhook } from './stripe-webhook';
import { ssoRoutes } from './sso';
import { csvExports } from './exports';
import { apiReferencePage, openApiDocument } from './openapi';
import { createHttpContext, type Deps } from '../trpc/context';
import { PageTransaction } from '../trpc/page-transaction';
import { trpcExpressHandler } from './trpc-handler';
import { scimRouter } from './scim/router';
import { appRouter, createCaller } from '../trpc/router';
import { errorDetails } from '../trpc/trpc';

/** The most procedure calls one tRPC HTTP request may carry; larger batches get a 400. */
export const MAX_BATCH_SIZE = 10;

export type LoadContext = {
  trpc: ReturnType<typeof createCaller>;
  errorDetails: typeof errorDetails;
  env: { stripeEmulated: boolean; devMailbox: boolean; localTestIdps: boolean };
};

export function createApp(deps: Deps, { remixBuild }: { remixBuild?: ServerBuild } = {}) {
  const { env, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Flat name=value pairs are all we read; qs's nested parsing costs every request for nothing.
  app.set('query parser', 'simple');
  if (env.TRUST_PROXY) app.set('trust proxy', true);

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Remix hydrates from inline scripts; everything else comes from our own origin.
          scriptSrc: ["'self'", "'unsafe-inline'"],
          // Buying seats redirects a form post to Stripe Checkout or the billing portal.
          formAction: ["'self'", 'https://checkout.stripe.com', 'https://billing.stripe.com', ...(env.STRIPE_EMULATOR_URL ? [new URL(env.STRIPE_EMULATOR_URL).origin] : [])],
          upgradeInsecureRequests: env.NODE_ENV === 'production' ? [] : null,
        },
      },
      strictTransportSecurity: env.NODE_ENV === 'production',
      // Not helmet's no-referrer: under it Chromium posts a form without JavaScript with "Origin: null",
      // which the cross-site checks (ours and Remix's) must refuse. Same-origin still tells other
      // sites nothing, not even the address of a page with a token in it.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    req.cookies = parseCookies(req.headers.cookie ?? '');
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ method: req.method, path: safePath(req.originalUrl), status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  });

  // Pages ship ~270 KB of JavaScript and JSON answers repeat keys: compressed, a fraction of that.
  app.use(compression());
  // Before the app-wide body limit and cross-site checks: SCIM answers every refusal with a SCIM
  // error body and reads its own bodies up to its own limit; a token, never a cookie, authenticates it.
  app.use('/scim/v2', scimRouter(deps));
  app.use(limitBodies({ readerStopsAtMax: (path) => path.startsWith('/trpc/') }));

  app.get('/healthz', health(deps.ownerDb));

  // Before anything reads the body: the signature covers the raw bytes.
  app.post('/webhooks/stripe', ...stripeWebhook({ env, ownerDb: deps.ownerDb, jobs: deps.jobs, log }));
  app.use(crossSiteProtection(env));
  app.use('/trpc', refuseKeysInUrls, noStore, jsonBodiesOnly);
  app.use('/sso', noStore, ssoRoutes(deps));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument(env.APP_URL)));
  app.get('/api/docs', (_req, res) => void res.type('html').send(apiReferencePage(openApiDocument(env.APP_URL))));

  app.use(
    '/trpc',
    trpcExpressHandler({
      router: appRouter,
      // A batch runs every call it names: without a bound, one request is a thousand (issue #13).
      maxBatchSize: MAX_BATCH_SIZE,
      createContext: (req, res) => createHttpContext(deps, req, res),
      responseMeta: ({ errors }) => {
        const retryAfter = errors.map((e) => errorDetails(e).data.retryAfterSeconds).find(Boolean);
        return retryAfter ? { headers: { 'Retry-After': String(retryAfter) } } : {};
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR' && !errorDetails(error).data.reason) {
          log.error({ err: error.cause ?? error, path }, 'procedure failed');
        }
      },
    }),
  );

  app.get('/export/:name.csv', noStore, csvExports(deps));

  const mailboxOn = env.NODE_ENV !== 'production' && !env.SMTP_URL;
  if (mailboxOn) app.get(['/dev/mailbox', '/dev/mailbox.json'], devMailbox(deps.ownerDb));

  if (remixBuild) {
    // Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
    app.get('/favicon.ico', (_req, res) => res.redirect(301, '/favicon.svg'));
    app.use('/build', express.static('public/build', { immutable: true, maxAge: '1y' }));
    app.use(express.static('public', { maxAge: '1h' }));
    app.all(
      '*',
      noStore,
      createRequestHandler({
        build: withPageErrors(remixBuild),
        getLoadContext: (req, res): LoadContext => {
          // A page load's queries share one transaction, ended with the response (issue #20);
          // an action's calls run as on any request (server/trpc/page-transaction.ts says why).
          const page = env.PAGE_TRANSACTION === 'shared' && (req.method === 'GET' || req.method === 'HEAD') ? new PageTransaction() : null;
          if (page) res.once('close', () => void page.end().catch((err) => log.error({ err }, 'ending a page transaction failed')));
          // One context per page request, built on first use: loaders that never call tRPC cost nothing.
          let context: ReturnType<typeof createHttpContext> | undefined;
          return {
            trpc: createCaller(() => (context ??= createHttpContext(deps, req, res, { page }))),
            errorDetails,
            env: { stripeEmulated: env.stripeEmulated, devMailbox: mailboxOn, localTestIdps: env.NODE_ENV !== 'production' && Boolean(env.SSO_TEST_OIDC_URL || env.SSO_TEST_SAML_URL) },
          };
        },
      }),
    );
  }

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    // Express marks what the client got wrong (an address with broken percent-encoding) as a 4xx.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (!res.headersSent) res.status(status).json({ error: { message: 'This address or request is not valid.' } });
      return;
    }
    log.error({ err: error, path: safePath(req.originalUrl) }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: { message: 'Something went wrong on our side.' } });
  };
  app.use(onError);
  return app;
}
