import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { AuditTable } from '~/components/audit-table';

export const meta: MetaFunction = () => [{ title: 'Audit log · Seatwise' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const filters = {
    action: params.get('action') || undefined,
    actorId: params.get('actorId') || undefined,
    targetId: params.get('targetId') || undefined,
    cursor: params.get('cursor') || undefined,
    limit: 50,
  };
  return json({ audit: await context.trpc.audit.list(filters), filters });
}

export default function Audit() {
  const { audit, filters } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Audit log</h1>
      <Form method="get" className="toolbar">
        <label>
          Action starts with
          <input name="action" defaultValue={filters.action} placeholder="user." />
        </label>
        <label>
          Actor id
          <input name="actorId" defaultValue={filters.actorId} />
        </label>
        <label>
          Target id
          <input name="targetId" defaultValue={filters.targetId} />
        </label>
        <button type="submit" className="secondary">
          Filter
        </button>
      </Form>
      <p>
        <a href={`/export/audit.csv?${new URLSearchParams(Object.entries({ action: filters.action, actorId: filters.actorId, targetId: filters.targetId }).filter((e): e is [string, string] => Boolean(e[1]))).toString()}`} download>
          Export CSV
        </a>
      </p>
      <AuditTable items={audit.items} nextCursor={audit.nextCursor} />
    </>
  );
}
