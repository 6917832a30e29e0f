import { Link } from '@remix-run/react';
import { Time } from '~/components/time';
import { TableScroll } from './table-scroll';

export type LoginHistoryRow = {
  id: string;
  createdAt: string;
  result: string;
  message: string;
  ip: string | null;
  userAgent: string | null;
  email: string;
  userId: string | null;
  userName: string | null;
  /** SPEC "Single sign-on": password, saml or oidc. */
  method?: string;
};

const RESULT_LABELS: Record<string, string> = {
  success: 'Signed in',
  wrong_password: 'Wrong password',
  unknown_user: 'Unknown email',
  locked: 'Locked',
  not_active: 'Not active',
  api_user: 'API user',
  seat_limit: 'No free seat',
  sso_refused: 'Refused by single sign-on',
  password_not_allowed: 'Password not allowed',
};

const METHOD_LABELS: Record<string, string> = { password: 'Password', saml: 'SAML', oidc: 'OpenID Connect' };

export const resultLabel = (result: string) => RESULT_LABELS[result] ?? result;

/** Sign-in attempts with who, how it ended, from where and with what browser. */
export function LoginHistoryTable({ items, showPerson }: { items: LoginHistoryRow[]; showPerson: boolean }) {
  return (
    <TableScroll label="Sign-in attempts">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            {showPerson ? <th>Person</th> : null}
            <th>Result</th>
            <th>Method</th>
            <th>Address</th>
            <th>Browser</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td>
                <Time at={e.createdAt} />
              </td>
              {showPerson ? <td>{e.userId ? <Link to={`/users/${e.userId}`}>{e.userName ?? e.email}</Link> : e.email}</td> : null}
              <td>
                <span className={`badge result-${e.result === 'success' ? 'ok' : 'refused'}`} title={e.message}>
                  {resultLabel(e.result)}
                </span>
              </td>
              <td>{METHOD_LABELS[e.method ?? 'password'] ?? e.method}</td>
              <td>{e.ip ?? '—'}</td>
              <td className="muted user-agent">{e.userAgent ?? '—'}</td>
            </tr>
          ))}
          {items.length === 0 ? (
            <tr>
              <td colSpan={showPerson ? 6 : 5} className="muted">
                No sign-in attempts match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </TableScroll>
  );
}
