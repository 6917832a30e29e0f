import type { RequestHandler } from 'express';
import type { Db } from '../../db/index';

/** For the platform's health check: up only when the database answers. */
export const health =
  (db: Db): RequestHandler =>
  async (_req, res) => {
    try {
      await db.raw('select 1');
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false, error: 'The database is unavailable.' });
    }
  };
