export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

/** An API key's own state (active, expired or revoked) in its own colours: a revoked key is not a banned user. */
export function KeyBadge({ status }: { status: string }) {
  return <span className={`badge key-${status}`}>{status}</span>;
}
