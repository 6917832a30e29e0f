import type { RequestHandler, Response } from 'express';

/** Issue #13: no body above this is read, anywhere but an import upload (below). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * SPEC "Bulk import and export": a file of up to 20 MB, sent base64-encoded in JSON (4/3 of it)
 * or as a multipart form, plus room for the envelope. The file's own size is checked once read.
 */
export const MAX_IMPORT_BODY_BYTES = 28 * 1024 * 1024;
export const isImportUpload = (path: string) => path === '/trpc/imports.preview' || path === '/import';
export const bodyLimitOf = (path: string) => (isImportUpload(path) ? MAX_IMPORT_BODY_BYTES : MAX_BODY_BYTES);

function refuse(res: Response, status: 411 | 413, message: string) {
  // The body is not read: the connection closes after the answer instead of draining it.
  res.setHeader('Connection', 'close');
  res.status(status);
  res.format({
    html: () => void res.send(`<!doctype html><title>${status}</title><main><h1>${status}</h1><p>${message}</p></main>`),
    default: () => void res.json({ error: { message, data: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', httpStatus: status } } }),
  });
}

/**
 * Refuses a declared body over `max` bytes before reading a byte of it. A body of unknown length
 * (chunked) is allowed only where the reader itself stops at `max` (tRPC's maxBodySize); elsewhere
 * it must declare its length, as browsers and Stripe do.
 */
export function limitBodies({ max: maxOf = bodyLimitOf, readerStopsAtMax }: { max?: (path: string) => number; readerStopsAtMax: (path: string) => boolean }): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    const max = maxOf(req.path);
    if (declared !== undefined) {
      if (Number(declared) > max) {
        return refuse(res, 413, isImportUpload(req.path) ? 'This file is larger than 20 MB, the most an import takes. Split it into smaller files.' : `The request body is larger than ${Math.round(max / 1024)} KB. Send less at once.`);
      }
      return next();
    }
    if (req.headers['transfer-encoding'] === undefined || readerStopsAtMax(req.path)) return next();
    refuse(res, 411, 'Send the request body with a Content-Length header.');
  };
}
