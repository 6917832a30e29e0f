import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';
import { attempt } from '~/utils/errors';
import { IMPORT_FIELDS, IMPORT_FIELD_LABELS, importResultLabel } from '../../server/contract/imports';
import { SEAT_LABELS, SEAT_TYPES, seatCount } from '../../server/contract/seats';

export const meta: MetaFunction = () => [{ title: 'Import users · Seatwise' }];

const PASTE_ROWS = 8;
const PASTE_FIELDS = ['email', 'firstName', 'lastName', 'kind', 'role'] as const;
const RUNNING = new Set(['queued', 'running']);

/**
 * SPEC "Bulk import and export" and §7 "import (upload, preview, progress, report)": one page.
 * Without ?id it offers an upload and a paste form and lists past imports; with ?id it shows that
 * import's preview, its progress while it runs (refreshing itself), and its result.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const id = params.get('id');
  const onlyErrors = params.get('show') === 'errors';
  const [current, past] = await Promise.all([id ? context.trpc.imports.rows({ id }) : null, context.trpc.imports.list({ limit: 20 })]);
  // Checkout comes back here through the billing page once the worker has confirmed the seats.
  const seatsAdded = Number(params.get('seatsAdded')) || null;
  return json({ current, past, onlyErrors, seatsAdded, canceled: params.get('checkout') === 'canceled' });
}

const checked = (form: FormData, name: string) => form.get(name) === 'on' || form.get(name) === 'true';

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const options = { updateExisting: checked(form, 'updateExisting'), sendInvitations: checked(form, 'sendInvitations') };
  const back = (result: Awaited<ReturnType<typeof attempt>>) => (result.ok ? null : json({ error: result.errors.message, intent }, { status: result.status }));

  if (intent === 'upload') {
    const file = form.get('file');
    if (!(file instanceof File) || (file.size === 0 && !file.name)) return json({ error: 'Choose a CSV or XLSX file to upload.', intent }, { status: 400 });
    if (file.size === 0) return json({ error: 'The file is empty.', intent }, { status: 400 });
    const bytes = Buffer.from(await file.arrayBuffer());
    const result = await attempt(context, () => context.trpc.imports.preview({ source: { fileBase64: bytes.toString('base64'), fileName: file.name.slice(0, 255) }, ...options }));
    return back(result) ?? redirect(`/import?id=${(result as { value: { id: string } }).value.id}`);
  }
  if (intent === 'paste') {
    const rows = Array.from({ length: PASTE_ROWS }, (_, i) => Object.fromEntries(PASTE_FIELDS.map((f) => [f, String(form.get(`${f}.${i}`) ?? '')])))
      .filter((row) => Object.values(row).some((v) => v.trim() !== ''));
    if (!rows.length) return json({ error: 'Fill in at least one row.', intent }, { status: 400 });
    const result = await attempt(context, () => context.trpc.imports.preview({ source: { rows }, ...options }));
    return back(result) ?? redirect(`/import?id=${(result as { value: { id: string } }).value.id}`);
  }
  const id = String(form.get('id') ?? '');
  if (intent === 'remap') {
    const columns: Record<string, (typeof IMPORT_FIELDS)[number] | 'ignore'> = {};
    for (const [name, value] of form.entries()) {
      if (!name.startsWith('column:') || typeof value !== 'string' || !value) continue;
      columns[name.slice('column:'.length)] = (IMPORT_FIELDS as readonly string[]).includes(value) ? (value as (typeof IMPORT_FIELDS)[number]) : 'ignore';
    }
    const result = await attempt(context, () => context.trpc.imports.preview({ source: { importId: id }, columns, ...options }));
    return back(result) ?? redirect(`/import?id=${(result as { value: { id: string } }).value.id}`);
  }
  if (intent === 'start') {
    const result = await attempt(context, () => context.trpc.imports.start({ id }));
    return back(result) ?? redirect(`/import?id=${id}`);
  }
  if (intent === 'checkout') {
    const seatType = SEAT_TYPES.find((t) => t === form.get('seatType'));
    const quantity = Number(form.get('quantity'));
    if (!seatType || !Number.isInteger(quantity)) return json({ error: 'Choose what to buy.', intent }, { status: 400 });
    const result = await attempt(context, () => context.trpc.billing.createCheckout({ seatType, quantity, returnTo: `/import?id=${id}` }));
    return back(result) ?? redirect((result as { value: { url: string } }).value.url);
  }
  return json({ error: 'Unknown action.', intent }, { status: 400 });
}

type Current = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['current']>;

function Options({ current }: { current?: Current }) {
  return (
    <div className="checks">
      <label>
        <input type="checkbox" name="updateExisting" defaultChecked={current?.updateExisting ?? false} /> Update users who already exist (matched by email); otherwise they are skipped
      </label>
      <label>
        <input type="checkbox" name="sendInvitations" defaultChecked={current?.sendInvitations ?? true} /> Send invitations now (otherwise they are held until you send them)
      </label>
    </div>
  );
}

function Progress({ current }: { current: Current }) {
  const revalidator = useRevalidator();
  const running = RUNNING.has(current.status);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => revalidator.state === 'idle' && revalidator.revalidate(), 1000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const percent = current.total ? Math.round((current.done / current.total) * 100) : 0;
  return (
    <section className="card" aria-live="polite">
      {/* Without JavaScript the page reloads itself while the import runs. */}
      {running ? (
        <noscript>
          <meta httpEquiv="refresh" content="2" />
        </noscript>
      ) : null}
      <h2>{current.status === 'done' ? 'Imported' : current.status === 'failed' ? 'Import failed' : 'Importing…'}</h2>
      <div className="bar" role="progressbar" aria-label="Rows done" aria-valuemin={0} aria-valuemax={current.total} aria-valuenow={current.done}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p data-testid="import-progress">
        {current.done.toLocaleString('en')} of {current.total.toLocaleString('en')} rows done
      </p>
      {current.status === 'done' ? (
        <p role="status" data-testid="import-result">
          {current.counts.new} created, {current.counts.update} updated, {current.counts.unchanged} {current.updateExisting ? 'unchanged' : 'skipped (exist)'}.
        </p>
      ) : null}
      {current.status === 'failed' ? <p role="alert">{current.message}</p> : null}
    </section>
  );
}

function Preview({ current, onlyErrors, seatsAdded, canceled }: { current: Current; onlyErrors: boolean; seatsAdded: number | null; canceled: boolean }) {
  const rows = (current.rows ?? []).filter((r) => !onlyErrors || r.result === 'error');
  return (
    <>
      {seatsAdded ? <p role="status" className="notice">Your seats are active. The seat figures below include them.</p> : null}
      {canceled ? <p className="notice">Checkout was canceled: nothing was bought.</p> : null}
      <p className="figures" data-testid="import-counts">
        {current.needsEmailColumn
          ? `${current.total} ${current.total === 1 ? 'row' : 'rows'}: choose the Email column below to classify them`
          : `${current.total} rows: ${current.counts.new} new, ${current.counts.update} to update, ${current.counts.unchanged} ${current.updateExisting ? 'unchanged' : 'skipped (exist)'}, ${current.counts.error} with errors`}
      </p>
      <table>
        <caption className="sr-only">Seats this import needs</caption>
        <thead>
          <tr>
            <th>Seats</th>
            <th>Needed</th>
            <th>Free</th>
          </tr>
        </thead>
        <tbody>
          {SEAT_TYPES.filter((k) => current.seats[k].needed > 0).map((k) => (
            <tr key={k}>
              <td>{SEAT_LABELS[k]}</td>
              <td>{current.seats[k].needed}</td>
              <td>{current.seats[k].free}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {current.message && current.nothingToDo ? (
        <p role="status" className="notice">
          {current.message}
        </p>
      ) : current.message ? (
        <div role="alert" className="alert">
          {current.message}
        </div>
      ) : null}
      {current.shortage.map((s) => (
        <Form method="post" key={s.seatType}>
          <input type="hidden" name="id" value={current.id} />
          <input type="hidden" name="seatType" value={s.seatType} />
          <input type="hidden" name="quantity" value={s.missing} />
          <button type="submit" name="intent" value="checkout">
            Buy {seatCount(s.missing, s.seatType)}
          </button>
        </Form>
      ))}
      {current.canRun ? (
        <Form method="post">
          <input type="hidden" name="id" value={current.id} />
          <button type="submit" name="intent" value="start">
            Import {current.counts.new + current.counts.update} {current.counts.new + current.counts.update === 1 ? 'user' : 'users'}
          </button>
        </Form>
      ) : null}
      <h2>Columns</h2>
      <Form method="post">
        <input type="hidden" name="id" value={current.id} />
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Column in the file</th>
                <th>Imported as</th>
              </tr>
            </thead>
            <tbody>
              {current.columns.map((c) => (
                <tr key={c.header}>
                  <td>{c.header}</td>
                  <td>
                    <select name={`column:${c.header}`} defaultValue={c.field ?? 'ignore'} aria-label={`Field for ${c.header}`}>
                      <option value="ignore">Ignored</option>
                      {IMPORT_FIELDS.map((f) => (
                        <option key={f} value={f}>
                          {IMPORT_FIELD_LABELS[f]}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Options current={current} />
        <button type="submit" name="intent" value="remap" className="secondary">
          Preview again with these columns
        </button>
      </Form>
      <h2>Rows</h2>
      <p className="toolbar">
        {onlyErrors ? <Link to={`/import?id=${current.id}`}>Show all rows</Link> : <Link to={`/import?id=${current.id}&show=errors`}>Show errors only</Link>}
        <a href={`/imports/${current.id}/report.csv`}>Download the report (CSV)</a>
      </p>
      <RowsTable rows={rows} current={current} />
    </>
  );
}

function RowsTable({ rows, current }: { rows: NonNullable<Current['rows']>; current: Current }) {
  return (
    <div className="table-scroll">
      <table data-testid="import-rows">
        <thead>
          <tr>
            <th>Line</th>
            <th>Email</th>
            <th>Result</th>
            <th>Problems</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.line}>
              <td>{r.line}</td>
              <td>{r.email}</td>
              <td>
                <span className="badge">{importResultLabel(r.result, current)}</span>
              </td>
              <td>{(r.errors ?? []).map((e) => `${IMPORT_FIELD_LABELS[e.field as keyof typeof IMPORT_FIELD_LABELS] ?? e.field}: ${e.message}`).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ImportPage() {
  const { current, past, onlyErrors, seatsAdded, canceled } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  return (
    <>
      <h1>Import users</h1>
      {data && 'error' in data ? (
        <div role="alert" className="alert">
          {data.error}
        </div>
      ) : null}
      {current ? (
        <>
          <p className="muted">
            {current.fileName ?? (current.source === 'rows' ? 'Pasted rows' : current.source.toUpperCase())} · <Link to="/import">New import</Link>
          </p>
          {current.status === 'previewed' ? <Preview current={current} onlyErrors={onlyErrors} seatsAdded={seatsAdded} canceled={canceled} /> : <Progress current={current} />}
          {current.status === 'done' || current.status === 'failed' ? (
            <>
              <p>
                <a href={`/imports/${current.id}/report.csv`}>Download the report (CSV)</a>
              </p>
              <RowsTable rows={(current.rows ?? []).filter((r) => !onlyErrors || r.result === 'error')} current={current} />
            </>
          ) : null}
        </>
      ) : (
        <>
          <p className="muted">
            A CSV (comma or semicolon, UTF-8) or XLSX file with a header line, such as an export from Okta, Google Workspace or Microsoft Entra ID. Email, first name and last name are
            needed; kind, role, user name, display name, time zone, locale and SAML name id are read when present. At most 50,000 rows and 20 MB. You see a preview before anything changes.
          </p>
          <Form method="post" encType="multipart/form-data" className="card">
            <h2>Upload a file</h2>
            <label>
              File
              <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
            </label>
            <Options />
            <button type="submit" name="intent" value="upload" disabled={busy}>
              Preview the file
            </button>
          </Form>
          <Form method="post" className="card">
            <h2>Or type the rows</h2>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    {PASTE_FIELDS.map((f) => (
                      <th key={f}>{IMPORT_FIELD_LABELS[f]}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {Array.from({ length: PASTE_ROWS }, (_, i) => (
                    <tr key={i}>
                      {PASTE_FIELDS.map((f) => (
                        <td key={f}>
                          <input name={`${f}.${i}`} aria-label={`${IMPORT_FIELD_LABELS[f]}, row ${i + 1}`} placeholder={f === 'kind' ? 'standard' : undefined} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Options />
            <button type="submit" name="intent" value="paste" disabled={busy}>
              Preview these rows
            </button>
          </Form>
        </>
      )}
      <h2>Past imports</h2>
      {past.length ? (
        <div className="table-scroll">
          <table data-testid="past-imports">
            <thead>
              <tr>
                <th>When</th>
                <th>By</th>
                <th>Rows</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {past.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/import?id=${p.id}`}>{new Date(p.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC</Link>
                  </td>
                  <td>{p.createdByLabel ?? 'API'}</td>
                  <td>{p.total}</td>
                  <td>
                    <span className="badge">{p.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No imports yet.</p>
      )}
    </>
  );
}
