import { Link } from '@remix-run/react';
import { dayOf } from '~/utils/dates';
import { useFormat } from '~/utils/format';
import type { Formatter } from '../../server/contract/format';
import { holdersPath } from '~/utils/seat-history';
import { SEAT_LABELS, SEAT_TYPES, type SeatType } from '../../server/contract/seats';

/** A point as it arrives from the loader: `at` is the end of its day (the last one: now), as JSON. */
export type SeatHistoryPoint = { at: string; purchased: number; used: number };
export type SeatHistorySeries = Record<SeatType, SeatHistoryPoint[]>;

// The drawing's own units; the SVG scales to its card, and so do its labels.
const WIDTH = 480;
const HEIGHT = 180;
const MARGIN = { top: 12, right: 8, bottom: 24, left: 32 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** 0 to a round top, in 2 to 5 whole steps. */
function yTicks(max: number) {
  const top = Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(top / 4 || 1));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => top / s <= 4) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let t = 0; t < top + step; t += step) ticks.push(t);
  return ticks;
}

/** Evenly spread indexes for the few dates under the axis. */
function xTicks(count: number, wanted = 5) {
  if (count <= wanted) return Array.from({ length: count }, (_, i) => i);
  return [...new Set(Array.from({ length: wanted }, (_, k) => Math.round((k * (count - 1)) / (wanted - 1))))];
}

const dayFigures = (f: Formatter, p: SeatHistoryPoint) => {
  const over = p.used - p.purchased;
  return `${f.utcShortDay(dayOf(p.at))}: ${f.number(p.used)} used of ${f.number(p.purchased)} purchased${over > 0 ? `, ${f.number(over)} over the limit` : ''}`;
};

/**
 * SPEC "Seat history": one seat type's used against purchased, per day, as an inline SVG drawn on
 * the server, so the page needs no JavaScript. Used is a step area, purchased a step line, and a
 * day over the limit shows the excess in red. Each day is a link to who held a seat then, titled
 * with its figures (the browser shows the title on hover). The table below carries the same
 * figures and links for screen readers and keyboards; the drawing is one image to them.
 * The figures are per UTC day (the ledger's day boundaries), so the days are labelled as UTC days,
 * worded in the viewer's locale; the numbers use the locale's grouping.
 */
export function SeatHistoryChart({ seatType, points }: { seatType: SeatType; points: SeatHistoryPoint[] }) {
  const label = SEAT_LABELS[seatType];
  const f = useFormat();
  const ticks = yTicks(Math.max(...points.map((p) => Math.max(p.purchased, p.used))));
  const top = ticks[ticks.length - 1];
  const band = PLOT_W / points.length;
  const x = (i: number) => MARGIN.left + i * band;
  const y = (value: number) => MARGIN.top + PLOT_H - (value / top) * PLOT_H;
  const step = (value: (p: SeatHistoryPoint) => number) => points.map((p, i) => `${i ? 'L' : 'M'}${x(i)},${y(value(p))}H${x(i + 1)}`).join('');
  const usedLine = step((p) => p.used);
  const usedArea = `${usedLine}V${y(0)}H${x(0)}Z`;
  const last = points[points.length - 1];
  const anyOver = points.some((p) => p.used > p.purchased);
  // The seats used past the purchased ones, day by day, as one shape (no seams between days).
  const overArea = points
    .map((p, i) => (p.used > p.purchased ? `M${x(i)},${y(p.purchased)}V${y(p.used)}H${x(i + 1)}V${y(p.purchased)}Z` : ''))
    .join('');
  const first = dayOf(points[0].at);
  const name = `${label} seats by day, ${f.utcDay(first)} to ${f.utcDay(dayOf(last.at))}: now ${f.number(last.used)} used of ${f.number(last.purchased)} purchased`;
  return (
    <article className="card seat-history" aria-labelledby={`seat-history-${seatType}`}>
      <h3 id={`seat-history-${seatType}`}>{label} seats</h3>
      <ul className="legend">
        <li>
          <span className="swatch used" aria-hidden="true" />
          Used
        </li>
        <li>
          <span className="swatch purchased" aria-hidden="true" />
          Purchased
        </li>
        {anyOver ? (
          <li>
            <span className="swatch over" aria-hidden="true" />
            Over the limit
          </li>
        ) : null}
      </ul>
      {/* Issue #18: the drawing is one named image; the day links, which the table below also offers,
          lie over it in their own layer hidden from assistive technology (an image cannot hold links). */}
      <div className="seat-chart-box">
        <svg className="seat-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={name} data-seat-type={seatType}>
          <g className="axis">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'baseline' : 'grid'} />
                <text x={MARGIN.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                  {f.number(t)}
                </text>
              </g>
            ))}
            {xTicks(points.length).map((i, k, all) => (
              <text key={i} x={k === 0 ? x(i) : k === all.length - 1 ? x(i + 1) : x(i) + band / 2} y={HEIGHT - 6} textAnchor={k === 0 ? 'start' : k === all.length - 1 ? 'end' : 'middle'}>
                {f.utcShortDay(dayOf(points[i].at))}
              </text>
            ))}
          </g>
          <path className="used-area" d={usedArea} />
          {anyOver ? <path className="over" d={overArea} /> : null}
          <path className="used-line" d={usedLine} />
          <path className="purchased-line" d={step((p) => p.purchased)} />
        </svg>
        <svg className="seat-chart-days" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true">
          <g className="days">
            {points.map((p, i) => (
              <a key={p.at} href={holdersPath(seatType, p.at)} tabIndex={-1} className="day">
                <title>{dayFigures(f, p)}</title>
                <rect x={x(i)} y={MARGIN.top} width={band} height={PLOT_H} fill="transparent" />
              </a>
            ))}
          </g>
        </svg>
      </div>
      <details className="figures">
        <summary>Figures by day</summary>
        <div className="scroll">
          <table>
            <caption className="sr-only">{name}</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Purchased</th>
                <th scope="col">Used</th>
                {anyOver ? <th scope="col">Over the limit</th> : null}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.at} className={p.used > p.purchased ? 'over' : undefined}>
                  <td>
                    <Link to={holdersPath(seatType, p.at)}>{f.utcDay(dayOf(p.at))}</Link>
                  </td>
                  <td>{f.number(p.purchased)}</td>
                  <td>{f.number(p.used)}</td>
                  {anyOver ? <td>{p.used > p.purchased ? f.number(p.used - p.purchased) : ''}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </article>
  );
}

/** The seat history section: a chart per seat type that has had any seat in the range. */
export function SeatHistory({ series, days }: { series: SeatHistorySeries; days: number }) {
  const shown = SEAT_TYPES.filter((type) => series[type].some((p) => p.purchased > 0 || p.used > 0));
  return (
    <section className="seat-history-section" aria-labelledby="seat-history-heading">
      <h2 id="seat-history-heading">Seats over the last {days} days</h2>
      <p className="muted">Used against purchased at the end of each day (UTC). Point at a day for its figures; click it to see who held the seats.</p>
      {shown.length ? (
        <div className="seat-charts">
          {shown.map((type) => (
            <SeatHistoryChart key={type} seatType={type} points={series[type]} />
          ))}
        </div>
      ) : (
        <p className="muted">No seats were purchased or used in this time.</p>
      )}
    </section>
  );
}
