/**
 * A Stripe test-mode emulator: the few API calls Seatwise makes, a checkout page and a portal
 * page, and webhooks signed exactly as Stripe signs them. For trying Seatwise (and testing it)
 * without a Stripe account; never mounted in production. It knows nothing of seats or tenants.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import express from 'express';
import Stripe from 'stripe';

export const EMULATOR_PRICES: Record<string, { unit_amount: number; nickname: string }> = {
  price_emulated_standard: { unit_amount: 1200, nickname: 'User seat' },
  price_emulated_client: { unit_amount: 600, nickname: 'Client User seat' },
  price_emulated_api: { unit_amount: 2000, nickname: 'API User seat' },
};

// Request bodies of the emulated Stripe API: free-form JSON read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);
const escape = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export type EmulatorOptions = {
  webhookUrl: string;
  webhookSecret: string;
  /** Slows subscription reads, so a test can catch a worker in the middle of its job. */
  subscriptionReadDelayMs?: number;
  port?: number;
  /**
   * A JSON file holding the emulator's state (customers, checkout sessions, subscriptions and
   * idempotency keys), read at start and rewritten (atomically) after every change, so a
   * restarted dev instance still knows the customers its database points at. Without it the
   * state lives in memory only, as tests want.
   */
  stateFile?: string;
};

const STATE_VERSION = 1;
type State = { version: number; baseUrl: string; customers: Obj; sessions: Obj; subscriptions: Obj; idempotent: Obj };

export class EmulatorStateError extends Error {}

/** The saved state, or null when there is none yet; a file that is not ours is refused, never overwritten. */
function loadState(file: string): State | null {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const refuse = (why: string): never => {
    throw new EmulatorStateError(
      `The Stripe emulator's state file ${file} is unreadable (${why}). It was left as it is: fix it, or move it away to start ` +
        'the emulator empty (workspaces that already have a Stripe customer then need it cleared in the database).',
    );
  };
  let state: State;
  try {
    state = JSON.parse(raw);
  } catch (error) {
    return refuse(`not JSON: ${(error as Error).message}`);
  }
  const isRecord = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isRecord(state)) return refuse('not a JSON object');
  if (state.version !== STATE_VERSION) return refuse(`version ${JSON.stringify(state.version)}, expected ${STATE_VERSION}`);
  for (const key of ['customers', 'sessions', 'subscriptions', 'idempotent'] as const) {
    if (!isRecord(state[key]) || !Object.values(state[key]).every(isRecord)) return refuse(`"${key}" is not an object of objects`);
  }
  return state;
}

/** Temp file, fsync, rename: a crash or Ctrl-C mid-write leaves the previous state whole. */
function writeStateAtomically(file: string, state: State) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export async function startStripeEmulator(options: EmulatorOptions) {
  const customers = new Map<string, Obj>();
  const sessions = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  /** Responses by `path:Idempotency-Key`, kept a day as Stripe keeps them (the SDK sends a key with every POST). */
  const idempotent = new Map<string, { at: number; body: Obj }>();
  const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
  /** The events sent, for tests to redeliver: a log, not state, so never saved. */
  const delivered: Obj[] = [];
  let baseUrl = '';

  const { stateFile } = options;
  const saved = stateFile ? loadState(stateFile) : null;
  if (stateFile) mkdirSync(dirname(stateFile), { recursive: true });
  if (saved) {
    for (const [map, entries] of [[customers, saved.customers], [sessions, saved.sessions], [subscriptions, saved.subscriptions]] as const) {
      for (const [key, value] of Object.entries(entries)) map.set(key, value);
    }
    for (const [key, entry] of Object.entries(saved.idempotent)) {
      if (typeof entry.at === 'number' && entry.body && entry.at >= now() - IDEMPOTENCY_TTL_SECONDS) idempotent.set(key, { at: entry.at, body: entry.body });
    }
  }
  /** Called after every change, before the response: what a client was told exists survives a restart. */
  const persist = () => {
    if (!stateFile) return;
    for (const [key, entry] of idempotent) if (entry.at < now() - IDEMPOTENCY_TTL_SECONDS) idempotent.delete(key);
    writeStateAtomically(stateFile, {
      version: STATE_VERSION,
      baseUrl,
      customers: Object.fromEntries(customers),
      sessions: Object.fromEntries(sessions),
      subscriptions: Object.fromEntries(subscriptions),
      idempotent: Object.fromEntries(idempotent),
    });
  };
  /** Express 4 does not catch a rejected handler: its error goes to the error handler instead. */
  const caught = (handler: (req: express.Request, res: express.Response) => Promise<void>) => (req: express.Request, res: express.Response, next: express.NextFunction) =>
    void handler(req, res).catch(next);

  const price = (priceId: string) => {
    const p = EMULATOR_PRICES[priceId];
    return p
      ? { id: priceId, object: 'price', active: true, currency: 'usd', unit_amount: p.unit_amount, nickname: p.nickname, recurring: { interval: 'month', interval_count: 1 }, type: 'recurring', livemode: false }
      : null;
  };

  /** Signs and posts one event; retried a few times like Stripe, without blocking the page. */
  async function deliver(type: string, object: Obj) {
    const event = { id: id('evt'), object: 'event', api_version: '2025-01-01', created: now(), livemode: false, type, data: { object }, pending_webhooks: 1, request: { id: null } };
    delivered.push(event);
    const payload = JSON.stringify(event);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: options.webhookSecret });
        const response = await fetch(options.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
        if (response.ok) return event;
      } catch {}
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    return event;
  }

  function subscriptionFor(session: Obj) {
    const item = session.line_items[0];
    const sub = {
      id: id('sub'),
      object: 'subscription',
      customer: session.customer,
      status: 'active',
      created: now(),
      current_period_end: now() + 30 * 86400,
      cancel_at_period_end: false,
      metadata: session.subscription_data?.metadata ?? {},
      items: { object: 'list', data: [{ id: id('si'), object: 'subscription_item', price: price(item.price), quantity: Number(item.quantity) }] },
      livemode: false,
    };
    subscriptions.set(sub.id, sub);
    return sub;
  }

  const invoice = (sub: Obj, status: 'paid' | 'open') => ({ id: id('in'), object: 'invoice', customer: sub.customer, subscription: sub.id, status, livemode: false });

  const app = express();
  app.use(express.urlencoded({ extended: true }));
  app.use('/v1', (req, res, next) => {
    if (!/^Bearer sk_test_/.test(req.get('authorization') ?? '')) {
      res.status(401).json({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided (the emulator takes any sk_test_ key).' } });
      return;
    }
    const key = req.get('idempotency-key');
    // Taken now: by the time the route answers, Express has put `/v1` back on req.path.
    const cacheKey = `${req.path}:${key}`;
    const cached = req.method === 'POST' && key ? idempotent.get(cacheKey) : undefined;
    if (cached) return void res.json(cached.body);
    const json = res.json.bind(res);
    res.json = (body: Obj) => {
      if (req.method === 'POST' && key && res.statusCode < 400) {
        idempotent.set(cacheKey, { at: now(), body });
        persist();
      }
      return json(body);
    };
    next();
  });

  app.post('/v1/customers', (req, res) => {
    const customer = { id: id('cus'), object: 'customer', email: req.body.email ?? null, name: req.body.name ?? null, metadata: req.body.metadata ?? {}, created: now(), livemode: false };
    customers.set(customer.id, customer);
    persist();
    res.json(customer);
  });
  app.get('/v1/customers/:id', (req, res) => {
    const customer = customers.get(req.params.id);
    if (!customer) return void res.status(404).json({ error: { type: 'invalid_request_error', message: `No such customer: '${req.params.id}'`, code: 'resource_missing' } });
    res.json(customer);
  });
  app.get('/v1/prices/:id', (req, res) => {
    const p = price(req.params.id);
    if (!p) return void res.status(404).json({ error: { type: 'invalid_request_error', message: `No such price: '${req.params.id}'`, code: 'resource_missing' } });
    res.json(p);
  });
  app.post('/v1/checkout/sessions', (req, res) => {
    const items = (req.body.line_items ?? []) as Obj[];
    if (!customers.has(req.body.customer)) return void res.status(400).json({ error: { type: 'invalid_request_error', message: `No such customer: '${req.body.customer}'` } });
    if (!items.length || !price(items[0].price)) return void res.status(400).json({ error: { type: 'invalid_request_error', message: 'line_items[0][price] is not a known price' } });
    const session = {
      id: id('cs_test'),
      object: 'checkout.session',
      mode: req.body.mode,
      customer: req.body.customer,
      client_reference_id: req.body.client_reference_id ?? null,
      metadata: req.body.metadata ?? {},
      subscription_data: req.body.subscription_data ?? {},
      success_url: req.body.success_url,
      cancel_url: req.body.cancel_url,
      line_items: items,
      idempotency_key: req.get('idempotency-key') ?? null,
      status: 'open',
      payment_status: 'unpaid',
      subscription: null as string | null,
      url: '',
      livemode: false,
    };
    session.url = `${baseUrl}/checkout/${session.id}`;
    sessions.set(session.id, session);
    persist();
    res.json(session);
  });
  app.get('/v1/checkout/sessions/:id', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) return void res.status(404).json({ error: { type: 'invalid_request_error', message: 'No such checkout session', code: 'resource_missing' } });
    res.json(session);
  });
  app.get('/v1/subscriptions/:id', caught(async (req, res) => {
    if (options.subscriptionReadDelayMs) await new Promise((r) => setTimeout(r, options.subscriptionReadDelayMs));
    const sub = subscriptions.get(req.params.id);
    if (!sub) return void res.status(404).json({ error: { type: 'invalid_request_error', message: `No such subscription: '${req.params.id}'`, code: 'resource_missing' } });
    res.json(sub);
  }));
  app.post('/v1/billing_portal/sessions', (req, res) => {
    if (!customers.has(req.body.customer)) return void res.status(400).json({ error: { type: 'invalid_request_error', message: `No such customer: '${req.body.customer}'` } });
    res.json({ id: id('bps'), object: 'billing_portal.session', customer: req.body.customer, return_url: req.body.return_url, url: `${baseUrl}/portal/${req.body.customer}?return_url=${encodeURIComponent(req.body.return_url ?? '')}`, livemode: false });
  });

  const page = (title: string, body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:560px;margin:3rem auto;color:#1f2937}
    .box{border:1px solid #e5e7eb;border-radius:12px;padding:1.5rem}.test{background:#fef3c7;color:#92400e;padding:.4rem .8rem;border-radius:6px;display:inline-block}
    button{font:inherit;padding:.6rem 1rem;border-radius:8px;border:0;background:#635bff;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#1f2937;border:1px solid #d1d5db}
    input{font:inherit;padding:.4rem;width:5rem}form{display:inline}</style></head><body><p class="test">Test mode: no real payments (Seatwise Stripe emulator)</p>${body}</body></html>`;

  app.get('/checkout/:id', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) return void res.status(404).send(page('Not found', '<p>This checkout session does not exist.</p>'));
    const item = session.line_items[0];
    const p = price(item.price)!;
    const total = ((p.unit_amount * Number(item.quantity)) / 100).toFixed(2);
    res.send(
      page(
        'Checkout',
        `<div class="box"><h1>Subscribe</h1><p>${escape(item.quantity)} × ${escape(p.nickname)} at $${(p.unit_amount / 100).toFixed(2)} per month</p>
        <p><strong>Total: $${total} per month</strong></p>
        ${session.status === 'open' ? `<form method="post" action="/checkout/${session.id}/pay"><button type="submit">Pay and subscribe</button></form>
        <a href="${escape(session.cancel_url)}">Cancel</a>` : '<p>This session is complete.</p>'}</div>`,
      ),
    );
  });
  app.post('/checkout/:id/pay', caught(async (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session || session.status !== 'open') return void res.status(400).send(page('Checkout', '<p>This session can no longer be paid.</p>'));
    const sub = subscriptionFor(session);
    Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: sub.id });
    persist();
    res.redirect(303, String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id));
    await deliver('customer.subscription.created', sub);
    await deliver('checkout.session.completed', { ...session });
    await deliver('invoice.paid', invoice(sub, 'paid'));
  }));

  app.get('/portal/:customer', (req, res) => {
    const subs = [...subscriptions.values()].filter((s) => s.customer === req.params.customer);
    const back = typeof req.query.return_url === 'string' ? req.query.return_url : '';
    res.send(
      page(
        'Billing portal',
        `<div class="box"><h1>Your subscriptions</h1>${subs
          .map((s) => {
            const item = s.items.data[0];
            return `<p><strong>${escape(item.quantity)} × ${escape(item.price.nickname)}</strong>, ${escape(s.status)}</p>${
              s.status === 'canceled'
                ? ''
                : `<form method="post" action="/portal/subscriptions/${s.id}/quantity"><input type="hidden" name="return_url" value="${escape(back)}"><input name="quantity" type="number" min="1" value="${escape(item.quantity)}" aria-label="Quantity"> <button class="secondary">Change quantity</button></form>
                 <form method="post" action="/portal/subscriptions/${s.id}/fail-payment"><input type="hidden" name="return_url" value="${escape(back)}"><button class="secondary">Simulate a failed payment</button></form>
                 <form method="post" action="/portal/subscriptions/${s.id}/cancel"><input type="hidden" name="return_url" value="${escape(back)}"><button class="secondary">Cancel subscription</button></form>`
            }`;
          })
          .join('<hr>') || '<p>No subscriptions yet.</p>'}${back ? `<p><a href="${escape(back)}">Return to Seatwise</a></p>` : ''}</div>`,
      ),
    );
  });
  const portalAction = (change: (sub: Obj, body: Obj) => [string, Obj][]) => caught(async (req, res) => {
    const sub = subscriptions.get(req.params.id);
    if (!sub) return void res.status(404).send(page('Not found', '<p>No such subscription.</p>'));
    const events = change(sub, req.body);
    persist();
    res.redirect(303, `/portal/${sub.customer}?return_url=${encodeURIComponent(req.body.return_url ?? '')}`);
    for (const [type, object] of events) await deliver(type, object);
  });
  app.post('/portal/subscriptions/:id/quantity', portalAction((sub, body) => {
    sub.items.data[0].quantity = Math.max(1, Math.floor(Number(body.quantity) || 1));
    return [['customer.subscription.updated', { ...sub }], ['invoice.paid', invoice(sub, 'paid')]];
  }));
  app.post('/portal/subscriptions/:id/cancel', portalAction((sub) => {
    sub.status = 'canceled';
    return [['customer.subscription.deleted', { ...sub }]];
  }));
  app.post('/portal/subscriptions/:id/fail-payment', portalAction((sub) => {
    sub.status = 'past_due';
    return [['invoice.payment_failed', invoice(sub, 'open')], ['customer.subscription.updated', { ...sub }]];
  }));

  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  // Its port changes from run to run: saved URLs that lead back here lead to the new port.
  if (saved && saved.baseUrl !== baseUrl) {
    const moved = (value: Obj) => {
      if (typeof value.url === 'string' && saved.baseUrl && value.url.startsWith(`${saved.baseUrl}/`)) value.url = baseUrl + value.url.slice(saved.baseUrl.length);
    };
    for (const session of sessions.values()) moved(session);
    for (const response of idempotent.values()) moved(response.body);
    persist();
  }
  return {
    url: baseUrl,
    port,
    customers,
    sessions,
    subscriptions,
    delivered,
    /** Where events go; a test may learn its app's URL only after starting the emulator. */
    setWebhookUrl: (url: string) => {
      options.webhookUrl = url;
    },
    /** Re-sends an event exactly as it was (same id and payload), as Stripe's retries do. */
    redeliver: (event: Obj) => {
      const payload = JSON.stringify(event);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: options.webhookSecret });
      return fetch(options.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
    },
    /** Changes a subscription as the portal would, delivering its events. */
    setQuantity: async (subId: string, quantity: number) => {
      const sub = subscriptions.get(subId)!;
      sub.items.data[0].quantity = quantity;
      persist();
      return deliver('customer.subscription.updated', { ...sub });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type StripeEmulator = Awaited<ReturnType<typeof startStripeEmulator>>;
