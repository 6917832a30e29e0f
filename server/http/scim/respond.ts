import type { Response } from 'express';
import { ZodError } from 'zod';
import { SCIM } from '../../contract/scim';
import { AppError, fromDatabaseError } from '../../shared/errors';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

export function sendScim(res: Response, status: number, body: unknown) {
  res.status(status).type(`${SCIM_MEDIA_TYPE}; charset=utf-8`);
  if (status === 204) return void res.end();
  res.send(JSON.stringify(body));
}

const STATUS_OF: Record<AppError['code'], number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** RFC 7644 §3.12: `status` is a string, `scimType` where the RFC names one. */
export function scimErrorBody(status: number, detail: string, scimType?: string) {
  return { schemas: [SCIM.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Every failure of a SCIM request as a SCIM error: our one error type, zod's, the body parser's. */
export function scimErrorOf(error: unknown): { status: number; detail: string; scimType?: string; retryAfter?: number; unexpected?: boolean } {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.join('.');
    // A refinement may name its own scimType (invalidPath for a path no attribute has).
    const named = issue && 'params' in issue ? (issue.params as { scimType?: string } | undefined)?.scimType : undefined;
    return { status: 400, detail: where ? `${where}: ${issue.message}` : (issue?.message ?? 'Invalid request'), scimType: named ?? 'invalidValue' };
  }
  const app = error instanceof AppError ? error : fromDatabaseError(error);
  if (app) {
    const status = STATUS_OF[app.code];
    const scimType = typeof app.data.scimType === 'string' ? app.data.scimType : status === 409 ? 'uniqueness' : status === 400 ? 'invalidValue' : undefined;
    const retryAfter = typeof app.data.retryAfterSeconds === 'number' ? app.data.retryAfterSeconds : undefined;
    return { status, detail: app.message, scimType, retryAfter };
  }
  // express's body parser marks what the client got wrong.
  const parser = error as { status?: number; type?: string };
  if (parser?.type === 'entity.parse.failed') return { status: 400, detail: 'The request body is not valid JSON.', scimType: 'invalidSyntax' };
  if (parser?.type === 'entity.too.large') return { status: 413, detail: 'The request body is too large. Send at most 1 MB.' };
  if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return { status: parser.status, detail: 'This request cannot be read.', scimType: parser.status === 400 ? 'invalidSyntax' : undefined };
  }
  return { status: 500, detail: 'Something went wrong on our side. Please try again.', unexpected: true };
}
