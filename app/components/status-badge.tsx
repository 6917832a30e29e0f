export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

export const KIND_LABELS = { standard: 'User', client: 'Client User', api: 'API User' } as const;
