import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from '@remix-run/react';
import styles from './styles.css';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];
export const meta: MetaFunction = () => [{ title: 'Seatwise' }];

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {/* Issue #18: the first thing a keyboard reaches; every page's <main> has id="main". */}
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** A refusal's status in words: a JSON error response carries no status text of its own. */
const STATUS_WORDS: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed here',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported form',
  429: 'Too many attempts',
  503: 'Briefly unavailable',
};

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${STATUS_WORDS[error.status] ?? (error.statusText || 'Error')}` : 'Something went wrong';
  return (
    <main id="main" className="narrow">
      <h1>{title}</h1>
      <p style={{ overflowWrap: 'anywhere' }}>{isRouteErrorResponse(error) ? String(error.data ?? '') : 'Please try again. If it keeps happening, contact support.'}</p>
      <p>
        <a href="/">Back to Seatwise</a>
      </p>
    </main>
  );
}
