type Pool = { purchased: number; used: number; available: number; overLimit: boolean };

export function SeatCard({ label, pool }: { label: string; pool: Pool }) {
  const percent = pool.purchased === 0 ? (pool.used > 0 ? 100 : 0) : Math.min(100, (pool.used / pool.purchased) * 100);
  return (
    <article className="card" aria-label={`${label} seats`}>
      <h2>{label}</h2>
      <div className="count" data-testid={`seats-${label}`}>
        {`${pool.used} of ${pool.purchased} used`}
      </div>
      <div className={pool.overLimit ? 'bar over' : 'bar'} role="progressbar" aria-valuenow={pool.used} aria-valuemax={pool.purchased}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className="muted">
        {pool.overLimit ? `${pool.used - pool.purchased} over the limit` : `${pool.available} available`}
      </p>
    </article>
  );
}
