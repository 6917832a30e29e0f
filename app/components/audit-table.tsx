import { Link } from '@remix-run/react';
import { Time } from '~/components/time';
import { auditSentence, type AuditEntry } from '~/utils/audit-sentences';
import { TableScroll } from './table-scroll';

export type AuditRow = AuditEntry & { id: string; createdAt: string };

/** `filters`: the page's query, kept on the link to older events. */
export function AuditTable({ items, nextCursor, tab, filters }: { items: AuditRow[]; nextCursor: string | null; tab?: string; filters?: string }) {
  return (
    <>
      <TableScroll label="Audit entries">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>What happened</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <Time at={e.createdAt} />
                </td>
                <td>{auditSentence(e)}</td>
                <td>
                  <details>
                    <summary>{e.action}</summary>
                    <code className="json">{e.before ? `${JSON.stringify(e.before)} → ` : ''}{e.after ? JSON.stringify(e.after) : ''}</code>
                  </details>
                </td>
              </tr>
            ))}
            {items.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  Nothing recorded.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </TableScroll>
      {nextCursor ? (
        <p className="pager">
          <Link to={`?${tab ? `tab=${tab}&` : ''}${filters ? `${filters}&` : ''}cursor=${nextCursor}`}>Older events</Link>
        </p>
      ) : null}
    </>
  );
}
