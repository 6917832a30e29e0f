import { json, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useFetcher, useLoaderData, useLocation } from '@remix-run/react';
import { AuditTable } from '~/components/audit-table';
import { attempt } from '~/utils/errors';

export const meta: MetaFunction = () => [{ title: 'Audit log · Seatwise' }];

type Person = { id: string; displayName: string; email: string };
type PeopleFilter = { query: string; people: Person[]; more: boolean };

/**
 * Filters are plain GET fields. Actor and target are typed as a name or an email (issue #18): the
 * server resolves them to the people they match, and the page offers the choices when more than
 * one person matches. An `actorId`/`targetId` in the address (a link from elsewhere) still works.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const filters = {
    action: text('action'),
    actor: text('actor'),
    target: text('target'),
    actorId: text('actorId'),
    targetId: text('targetId'),
    cursor: text('cursor'),
    limit: 50,
  };
  // Only a bad filter stays on the page; not allowed (403) or signed out throws to the error page.
  const result = await attempt(context, () => context.trpc.audit.list(filters), { keep: ['BAD_REQUEST'] });
  if (!result.ok) {
    const none: Awaited<ReturnType<AppLoadContext['trpc']['audit']['list']>> = { items: [], nextCursor: null, actor: null, target: null };
    return json({ audit: none, filters, errors: result.errors }, { status: result.status });
  }
  return json({ audit: result.value, filters, errors: null });
}

/** A name-or-email field; with JavaScript, it suggests people as one types (the audit.people procedure). */
function PersonField({ name, label, defaultValue, known, error }: { name: 'actor' | 'target'; label: string; defaultValue?: string; known: PeopleFilter | null; error?: string }) {
  const suggestions = useFetcher<{ people: Person[] }>();
  const people = suggestions.data?.people ?? known?.people ?? [];
  return (
    <label>
      {label}
      <input
        name={name}
        type="search"
        list={`${name}-people`}
        autoComplete="off"
        maxLength={200}
        placeholder="Name or email"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const q = e.currentTarget.value.trim();
          if (q.length >= 2) suggestions.load(`/audit/people?${new URLSearchParams({ q })}`);
        }}
      />
      <datalist id={`${name}-people`}>
        {people.map((p) => (
          <option key={p.id} value={p.email}>
            {p.displayName}
          </option>
        ))}
      </datalist>
      {error ? <span className="field-error">{error}</span> : null}
    </label>
  );
}

/** What a typed name matched: nobody, or several people to choose from (each a link narrowing to one). */
function Matches({ role, filter }: { role: 'actor' | 'target'; filter: PeopleFilter | null }) {
  const { search } = useLocation();
  if (!filter || filter.people.length === 1) return null;
  const who = role === 'actor' ? 'Actor' : 'Target';
  if (filter.people.length === 0) {
    return (
      <p className="banner" role="status" data-testid={`${role}-matches`}>
        {`${who}: nobody in this workspace matches “${filter.query}”.`}
      </p>
    );
  }
  const pick = (p: Person) => {
    const next = new URLSearchParams(search);
    next.set(role, p.email);
    next.delete(`${role}Id`);
    next.delete('cursor');
    return `?${next}`;
  };
  return (
    <div className="people-matches" role="status" data-testid={`${role}-matches`}>
      <p>
        {who} “{filter.query}” matches {filter.more ? `more than ${filter.people.length}` : filter.people.length} people; the list shows events of all of them. Choose one:
      </p>
      <ul>
        {filter.people.map((p) => (
          <li key={p.id}>
            <Link to={pick(p)}>{p.displayName}</Link> <span className="muted">{p.email}</span>
          </li>
        ))}
      </ul>
      {filter.more ? <p className="muted">…and more: type more of the name or the email.</p> : null}
    </div>
  );
}

export default function Audit() {
  const { audit, filters, errors } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const kept = new URLSearchParams(search);
  kept.delete('cursor');
  const olderFilters = kept.toString();
  const shown = (f: PeopleFilter | null, typed?: string) => typed ?? (f?.people.length === 1 ? f.query : undefined);
  // The export takes ids: a typed name is exported once it names one person (else the link waits for a choice).
  const one = (typed: string | undefined, id: string | undefined, f: PeopleFilter | null): { ok: boolean; id?: string } => {
    if (id || !typed) return { ok: true, id };
    return f?.people.length === 1 ? { ok: true, id: f.people[0].id } : { ok: false };
  };
  const actor = one(filters.actor, filters.actorId, audit.actor);
  const target = one(filters.target, filters.targetId, audit.target);
  const exportQuery =
    actor.ok && target.ok
      ? new URLSearchParams(Object.entries({ action: filters.action, actorId: actor.id, targetId: target.id }).filter((e): e is [string, string] => Boolean(e[1]))).toString()
      : null;
  return (
    <>
      <h1>Audit log</h1>
      <Form method="get" className="toolbar">
        <label>
          Action starts with
          <input name="action" defaultValue={filters.action} placeholder="user." />
        </label>
        <PersonField name="actor" label="Actor" defaultValue={shown(audit.actor, filters.actor)} known={audit.actor} error={errors?.fieldErrors.actor?.[0]} />
        <PersonField name="target" label="Target" defaultValue={shown(audit.target, filters.target)} known={audit.target} error={errors?.fieldErrors.target?.[0]} />
        <button type="submit" className="secondary">
          Filter
        </button>
      </Form>
      {errors && !errors.fieldErrors.actor && !errors.fieldErrors.target ? (
        <p className="alert" role="alert">
          {errors.message}
        </p>
      ) : null}
      <Matches role="actor" filter={audit.actor} />
      <Matches role="target" filter={audit.target} />
      {exportQuery !== null ? (
        <p>
          <a href={`/export/audit.csv?${exportQuery}`} download>
            Export CSV
          </a>
        </p>
      ) : null}
      <AuditTable items={audit.items} nextCursor={audit.nextCursor} filters={olderFilters} />
    </>
  );
}
