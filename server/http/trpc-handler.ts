import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler, type FetchHandlerRequestOptions } from '@trpc/server/adapters/fetch';
import { incomingMessageToRequest } from '@trpc/server/adapters/node-http';
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { bodyLimitOf } from './body-limit';

type Options<TRouter extends AnyTRPCRouter> = Omit<FetchHandlerRequestOptions<TRouter>, 'req' | 'endpoint' | 'createContext'> & {
  createContext?: (req: ExpressRequest, res: ExpressResponse) => ReturnType<NonNullable<FetchHandlerRequestOptions<TRouter>['createContext']>>;
};

/**
 * tRPC mounted on express (`app.use('/trpc', …)`), answering with one write of the whole body.
 * The stock express adapter pipes the body through a WHATWG stream and sends it chunked, which
 * costs every request about 0.3 ms and a second socket write on our machines; our answers are
 * small JSON documents that are complete before the first byte goes out.
 */
export function trpcExpressHandler<TRouter extends AnyTRPCRouter>({ createContext, ...options }: Options<TRouter>): RequestHandler {
  return async (req, res, next) => {
    try {
      const response = await fetchRequestHandler<TRouter>({
        ...options,
        // Express has already taken the mount path off req.url, so the procedure path starts at /.
        endpoint: '/',
        req: incomingMessageToRequest(req, res, { maxBodySize: bodyLimitOf(`/trpc${req.path}`) }),
        createContext: createContext ? () => createContext(req, res) : undefined,
      } as FetchHandlerRequestOptions<TRouter>);
      res.statusCode = response.status;
      for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value);
      const cookies = response.headers.getSetCookie();
      if (cookies.length) res.append('set-cookie', cookies);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      next(error);
    }
  };
}
