import { useFormat } from '~/utils/format';

type Pool = { purchased: number; used: number; available: number; overLimit: boolean };

/** A pool this full (and not over) can show its bar in amber: time to buy seats before the limit stops an invitation. */
const NEARLY_FULL = 0.9;

/** How full a pool is: red over the limit, amber from 90 % used where asked, the brand colour below. */
function fullness(pool: Pool, warnWhenNearlyFull: boolean) {
  if (pool.overLimit) return 'over';
  if (warnWhenNearlyFull && pool.purchased > 0 && pool.used / pool.purchased >= NEARLY_FULL) return 'warn';
  return 'ok';
}

export function SeatCard({ label, pool, warnWhenNearlyFull = false }: { label: string; pool: Pool; warnWhenNearlyFull?: boolean }) {
  const percent = pool.purchased === 0 ? (pool.used > 0 ? 100 : 0) : Math.min(100, (pool.used / pool.purchased) * 100);
  const state = fullness(pool, warnWhenNearlyFull);
  const { number } = useFormat();
  return (
    <article className="card" aria-label={`${label} seats`}>
      <h2>{label}</h2>
      <div className="count" data-testid={`seats-${label}`}>
        {`${number(pool.used)} of ${number(pool.purchased)} used`}
      </div>
      <div className={state === 'ok' ? 'bar' : `bar ${state}`} role="progressbar" aria-valuenow={pool.used} aria-valuemax={pool.purchased} aria-label={`${label} seats used`}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className={state === 'ok' || !warnWhenNearlyFull ? 'muted' : `seat-note ${state}`}>
        {state === 'over'
          ? `${number(pool.used - pool.purchased)} over the limit`
          : state === 'warn'
            ? pool.available === 0
              ? 'No seats left'
              : `Only ${number(pool.available)} available`
            : `${number(pool.available)} available`}
      </p>
    </article>
  );
}
