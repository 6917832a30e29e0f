/**
 * The fixed stack's floor: express and tRPC, mounted as the web process mounts them, around a
 * procedure that does no work at all. Whatever Seatwise adds (sessions, keys, row-level security, the query) comes on top.
 */
import { initTRPC } from '@trpc/server';
import express from 'express';
import { z } from 'zod';
import { trpcExpressHandler } from '../server/trpc/express-handler';

const t = initTRPC.create();
const router = t.router({ echo: t.procedure.input(z.record(z.string(), z.unknown())).query(({ input }) => input) });
const app = express();
app.use('/trpc', trpcExpressHandler({ router }));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
