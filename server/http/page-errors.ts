import { json, type ServerBuild } from '@remix-run/node';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { fromDatabaseError } from '../shared/errors';
import { errorDetails } from '../trpc/trpc';
import { GRANT_HINT } from '../contract/permissions';

const UNAVAILABLE = 'Seatwise is briefly unavailable. Please try again in a minute.';

/** A refusal thrown by a loader or action, as the page response a person should get. */
function pageResponse(error: unknown): Response | undefined {
  const database = error instanceof TRPCError ? undefined : fromDatabaseError(error);
  const refusal = error instanceof TRPCError ? error : database && new TRPCError({ code: database.code, message: database.message, cause: database });
  if (!refusal || refusal.code === 'INTERNAL_SERVER_ERROR') return undefined;
  // tRPC's own code → HTTP status table, the one /trpc answers with.
  const status = getHTTPStatusCodeFromError(refusal);
  if (status === 503) return json(UNAVAILABLE, { status, headers: { 'Retry-After': '30' } });
  const { message } = errorDetails(error);
  return json(status === 403 ? `${message} ${GRANT_HINT}` : message, { status });
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * Issue #13: one place turns what loaders and actions throw into the page a person should see —
 * a refusal keeps its status (403, 404, 400; 503 while the database is down) instead of a 500 —
 * and an action only ever receives a form it can read.
 */
export function withPageErrors(build: ServerBuild): ServerBuild {
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      const { loader, action } = route.module;
      const module = { ...route.module };
      if (loader) {
        module.loader = async (args) => {
          try {
            return await loader(args);
          } catch (error) {
            throw pageResponse(error) ?? error;
          }
        };
      }
      if (action) {
        module.action = async (args) => {
          const { headers } = args.request;
          const hasBody = Number(headers.get('content-length') ?? 0) > 0 || headers.has('transfer-encoding');
          const type = headers.get('content-type')?.split(';')[0].trim().toLowerCase() ?? '';
          if (hasBody && !FORM_TYPES.includes(type)) throw json('This page takes form posts only.', { status: 415 });
          if (hasBody) {
            try {
              await args.request.clone().formData();
            } catch {
              throw json('The form could not be read. Reload the page and send it again.', { status: 400 });
            }
          }
          try {
            return await action(args);
          } catch (error) {
            throw pageResponse(error) ?? error;
          }
        };
      }
      return [id, { ...route, module }];
    }),
  );
  return { ...build, routes } as ServerBuild;
}
