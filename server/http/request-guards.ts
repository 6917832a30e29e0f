import type express from 'express';

/** URLs end up in logs, proxies and browser history: a key there must be refused, not used. */
export const refuseKeysInUrls: express.RequestHandler = (req, res, next) => {
  const names = Object.keys(req.query).map((k) => k.toLowerCase());
  const leaked = names.some((k) => ['key', 'api_key', 'apikey', 'access_token', 'token'].includes(k)) || /swk_[0-9A-Za-z]{20,}/.test(req.originalUrl);
  if (!leaked) return next();
  res.status(401).json({ error: { message: 'Send the API key in the Authorization header, never in the URL. Revoke this key: it may be logged.', data: { code: 'UNAUTHORIZED', httpStatus: 401, reason: 'KEY_IN_URL' } } });
};

/**
 * The API is plain JSON (SPEC §4). tRPC would also hand a procedure a FormData or a byte stream,
 * which no input schema and no text check would then see.
 */
export const jsonBodiesOnly: express.RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || req.is('application/json') !== false) return next();
  res.status(415).json({ error: { message: 'Send the input as JSON, with Content-Type: application/json.', data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 } } });
};

/** What a signed-in person sees must not stay in a shared or back-button cache. */
export const noStore: express.RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
