import { Link } from '@remix-run/react';

export type AuditRow = {
  id: string;
  createdAt: string;
  actorLabel: string | null;
  actorType: string;
  action: string;
  before: unknown;
  after: unknown;
};

export function AuditTable({ items, nextCursor, tab }: { items: AuditRow[]; nextCursor: string | null; tab?: string }) {
  return (
    <>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.createdAt).toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>{e.actorLabel ?? e.actorType}</td>
                <td>{e.action}</td>
                <td>
                  <code className="json">{e.before ? `${JSON.stringify(e.before)} → ` : ''}{e.after ? JSON.stringify(e.after) : ''}</code>
                </td>
              </tr>
            ))}
            {items.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  Nothing recorded.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {nextCursor ? (
        <p className="pager">
          <Link to={`?${tab ? `tab=${tab}&` : ''}cursor=${nextCursor}`}>Older events</Link>
        </p>
      ) : null}
    </>
  );
}
