/**
 * A wide table's own scrolling box (the page keeps the screen's width). Issue #18: it can take the
 * keyboard's focus, so a table without links can still be scrolled sideways by keyboard (WCAG
 * 2.1.1), and it is a region named for what it holds.
 */
export function TableScroll({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
