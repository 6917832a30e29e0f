import type { RequestHandler } from 'express';
import type { Db } from '../../db/index';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * SPEC §2: where mail goes when SMTP_URL is unset. Never mounted in production. It shows every
 * workspace's mail with live links, so only the machine itself may read it: the socket's own
 * address decides, never a forwarded header.
 */
export function devMailbox(ownerDb: Db): RequestHandler {
  return async (req, res, next) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.status(403).type('text').send('The development mailbox is served only to requests from this machine.');
      return;
    }
    try {
      const mails = await ownerDb('dev_mail').orderBy('id', 'desc').limit(50);
      if (req.path.endsWith('.json')) return void res.json(mails);
      const items = mails
        .map(
          (m) => `
          <article class="mail" data-id="${m.id}">
            <h2>${escape(m.subject)}</h2>
            <p class="meta">To <span class="to">${escape(m.to)}</span> · ${m.createdAt.toISOString()}</p>
            <pre>${escape(m.text).replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')}</pre>
          </article>`,
        )
        .join('');
      res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Dev mailbox · Seatwise</title>
        <style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;color:#1f2937}
        .mail{border:1px solid #e5e7eb;border-radius:8px;padding:1rem;margin:1rem 0}.meta{color:#4b5563}
        pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit}h1,h2,.meta{overflow-wrap:anywhere}</style></head>
        <body><main id="main"><h1>Development mailbox</h1><p>Mail sent while <code>SMTP_URL</code> is unset lands here, newest first.</p>
        ${items || '<p>No mail yet.</p>'}</main></body></html>`);
    } catch (error) {
      next(error);
    }
  };
}
