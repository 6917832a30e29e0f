import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { withTenant, type Trx } from '../../../db/index';
import { UNSTORABLE_TEXT, unstorableTextPath } from '../../contract/fields';
import { SCIM, scimGroupInput, scimListQuery, scimPatchInput, scimUserInput } from '../../contract/scim';
import { authenticateScimToken, type DirectoryActor } from '../../domain/provisioning/tokens';
import { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from '../../domain/provisioning/groups';
import { groupResource, userResource } from '../../domain/provisioning/resources';
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from '../../domain/provisioning/users';
import { RATE_LIMITS } from '../../domain/rate-limits';
import type { Scope } from '../../domain/scope';
import { AppError } from '../../shared/errors';
import type { Deps } from '../../trpc/context';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery';
import { project } from './project';
import { scimErrorBody, scimErrorOf, sendScim, SCIM_MEDIA_TYPE } from './respond';

/** The most a SCIM body may hold: a group PUT with thousands of members fits. */
export const MAX_SCIM_BODY_BYTES = 1024 * 1024;

type Handler = (args: { req: Request; scope: Scope; baseUrl: string }) => Promise<{ status: number; body?: unknown }>;

/**
 * SPEC "Directory provisioning (SCIM 2.0)" at /scim/v2: a provisioning token names the tenant;
 * each request then runs in one transaction on the web role with that tenant set (row-level
 * security), as an API key's does, and the domain (server/domain/provisioning) does the work.
 * Every 4xx is a SCIM error body.
 */
export function scimRouter(deps: Deps) {
  const router = express.Router();
  const baseUrl = `${deps.env.APP_URL.replace(/\/$/, '')}/scim/v2`;

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const authenticate: RequestHandler = (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
      return next(new AppError('UNAUTHORIZED', 'Send the provisioning token as: Authorization: Bearer sws_…'));
    }
    authenticateScimToken({ ownerDb: deps.ownerDb, token, now: deps.now(), limit: RATE_LIMITS.scimToken(deps.env) })
      .then((actor) => {
        res.locals.directory = actor;
        next();
      })
      .catch(next);
  };
  // Authenticated (and counted against the token's limit) before the body is even read.
  router.use(authenticate);
  // Okta and Entra ID send application/scim+json; some tools send application/json.
  router.use(express.json({ type: [SCIM_MEDIA_TYPE, 'application/json'], limit: MAX_SCIM_BODY_BYTES, strict: true }));

  const run =
    (handler: Handler): RequestHandler =>
    (req, res, next) => {
      const directory = res.locals.directory as DirectoryActor;
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(req.method);
      if (hasBody) {
        if (!req.is(SCIM_MEDIA_TYPE) && !req.is('application/json')) {
          return next(new AppError('BAD_REQUEST', `Send the body as JSON with Content-Type: ${SCIM_MEDIA_TYPE}.`, { scimType: 'invalidSyntax' }));
        }
        if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
          return next(new AppError('BAD_REQUEST', 'The body must be a JSON object.', { scimType: 'invalidSyntax' }));
        }
        const path = unstorableTextPath(req.body);
        if (path) return next(new AppError('BAD_REQUEST', `${path.join('.')}: ${UNSTORABLE_TEXT}`, { scimType: 'invalidValue' }));
      }
      const readOnly = req.method === 'GET';
      // Users and groups need what the same change would need in Seatwise.
      const needed = readOnly ? 'users.read' : 'users.manage';
      if (/^\/(Users|Groups)\b/.test(req.path) && !directory.permissions.includes(needed)) {
        return next(
          new AppError('FORBIDDEN', `This provisioning token does not carry the ${needed} permission (its creator's role lacked it when it was created). Create a new token in Settings → Provisioning.`, {
            reason: 'TOKEN_PERMISSIONS',
          }),
        );
      }
      withTenant(
        deps.db,
        directory.tenantId,
        (trx: Trx) =>
          handler({
            req,
            baseUrl,
            scope: {
              trx,
              tenantId: directory.tenantId,
              // SPEC: audited with actor "directory" and the token's prefix.
              actor: { type: 'directory', id: directory.tokenId, label: directory.prefix },
              // The token acts with its creator's permissions as they were at its creation: it can
              // do nothing to a user that its creator could not have done in Seatwise then.
              permissions: new Set(directory.permissions),
              ip: req.ip ?? null,
              now: deps.now(),
              jobs: deps.jobs,
            },
          }),
        { readOnly },
      )
        .then(({ status, body }) => sendScim(res, status, body))
        .catch(next);
    };

  const listOf = (resources: unknown[], total: number, startIndex: number) => ({
    schemas: [SCIM.list],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  });
  const shaped = (req: Request, resource: Record<string, unknown>) => project(resource, str(req.query.attributes), str(req.query.excludedAttributes));
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const idOf = (req: Request) => String(req.params.id);
  const membersWanted = (req: Request) => {
    // An attribute may be named by its full URN, as project() reads it too.
    const listed = (name: string) =>
      (str(req.query[name]) ?? '')
        .split(',')
        .map((a) => a.trim().toLowerCase().replace(`${SCIM.group.toLowerCase()}:`, ''));
    if (str(req.query.attributes)) return listed('attributes').some((a) => a === 'members' || a.startsWith('members.'));
    return !listed('excludedAttributes').includes('members');
  };

  router.get('/ServiceProviderConfig', run(async () => ({ status: 200, body: serviceProviderConfig(baseUrl) })));
  router.get('/ResourceTypes', run(async () => ({ status: 200, body: listOf(resourceTypes(baseUrl), 2, 1) })));
  router.get(
    '/ResourceTypes/:id',
    run(async ({ req }) => {
      const found = resourceTypes(baseUrl).find((r) => r.id === req.params.id);
      if (!found) throw new AppError('NOT_FOUND', `Resource type ${req.params.id} not found`);
      return { status: 200, body: found };
    }),
  );
  router.get('/Schemas', run(async () => ({ status: 200, body: listOf(schemas(baseUrl), 3, 1) })));
  router.get(
    '/Schemas/:id',
    run(async ({ req }) => {
      const found = schemas(baseUrl).find((s) => s.id === req.params.id);
      if (!found) throw new AppError('NOT_FOUND', `Schema ${req.params.id} not found`);
      return { status: 200, body: found };
    }),
  );

  router.get(
    '/Users',
    run(async ({ req, scope }) => {
      const query = scimListQuery.parse(req.query);
      const { total, users } = await listScimUsers(scope, query);
      return { status: 200, body: listOf(users.map((u) => shaped(req, userResource(u, baseUrl))), total, query.startIndex) };
    }),
  );
  router.post(
    '/Users',
    run(async ({ req, scope }) => {
      const { user } = await createScimUser(scope, scimUserInput.parse(req.body));
      return { status: 201, body: shaped(req, userResource(user, baseUrl)) };
    }),
  );
  router.get('/Users/:id', run(async ({ req, scope }) => ({ status: 200, body: shaped(req, userResource(await getScimUser(scope, idOf(req)), baseUrl)) })));
  router.put('/Users/:id', run(async ({ req, scope }) => ({ status: 200, body: shaped(req, userResource(await replaceScimUser(scope, idOf(req), scimUserInput.parse(req.body)), baseUrl)) })));
  router.patch(
    '/Users/:id',
    run(async ({ req, scope }) => ({ status: 200, body: shaped(req, userResource(await patchScimUser(scope, idOf(req), scimPatchInput.parse(req.body), baseUrl), baseUrl)) })),
  );
  router.delete(
    '/Users/:id',
    run(async ({ req, scope }) => {
      await deleteScimUser(scope, idOf(req));
      return { status: 204 };
    }),
  );

  router.get(
    '/Groups',
    run(async ({ req, scope }) => {
      const query = scimListQuery.parse(req.query);
      const { total, groups } = await listScimGroups(scope, { ...query, members: membersWanted(req) });
      return { status: 200, body: listOf(groups.map((g) => shaped(req, groupResource(g, baseUrl))), total, query.startIndex) };
    }),
  );
  router.post('/Groups', run(async ({ req, scope }) => ({ status: 201, body: shaped(req, groupResource(await createScimGroup(scope, scimGroupInput.parse(req.body)), baseUrl)) })));
  router.get(
    '/Groups/:id',
    run(async ({ req, scope }) => ({ status: 200, body: shaped(req, groupResource(await getScimGroup(scope, idOf(req), { members: membersWanted(req) }), baseUrl)) })),
  );
  router.put('/Groups/:id', run(async ({ req, scope }) => ({ status: 200, body: shaped(req, groupResource(await replaceScimGroup(scope, idOf(req), scimGroupInput.parse(req.body)), baseUrl)) })));
  router.patch(
    '/Groups/:id',
    run(async ({ req, scope }) => {
      await patchScimGroup(scope, idOf(req), scimPatchInput.parse(req.body), baseUrl);
      // RFC 7644 §3.5.2: 204 when the client did not ask for attributes back (Entra ID expects it).
      if (!str(req.query.attributes)) return { status: 204 };
      return { status: 200, body: shaped(req, groupResource(await getScimGroup(scope, idOf(req)), baseUrl)) };
    }),
  );
  router.delete(
    '/Groups/:id',
    run(async ({ req, scope }) => {
      await deleteScimGroup(scope, idOf(req));
      return { status: 204 };
    }),
  );

  router.use((req, _res, next) => next(new AppError('NOT_FOUND', `${req.method} ${req.path} is not a SCIM endpoint of Seatwise.`)));

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const { status, detail, scimType, retryAfter, unexpected } = scimErrorOf(error);
    if (unexpected) deps.log.error({ err: error, method: req.method, path: req.path }, 'SCIM request failed');
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    if (res.headersSent) return;
    sendScim(res, status, scimErrorBody(status, detail, scimType));
  };
  router.use(onError);
  return router;
}
