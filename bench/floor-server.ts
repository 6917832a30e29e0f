/**
 * The fixed stack's floor: express and tRPC, mounted as the web process mounts them, around a
 * procedure that validates its input and returns a stored answer, the same one the app gives.
 * Whatever Seatwise adds (sessions, keys, row-level security, the query) comes on top.
 */
import { initTRPC } from '@trpc/server';
import express from 'express';
import { z } from 'zod';
import { trpcExpressHandler } from '../server/trpc/express-handler';

/** The app's own answer to the request being compared, sent by the bench: the same bytes go out. */
let answer: unknown = null;
process.on('message', (message) => {
  answer = message;
  process.send?.('stored');
});

const t = initTRPC.create();
const router = t.router({ answer: t.procedure.input(z.record(z.string(), z.unknown())).query(() => answer) });
const app = express();
app.use('/trpc', trpcExpressHandler({ router }));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
