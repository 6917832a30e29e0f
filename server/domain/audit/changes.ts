/**
 * The fields of `wanted` that differ from `stored`, as an audit's before and after: what an update
 * writes and records. A field left undefined was not asked to change.
 */
export function changedFields(stored: Record<string, unknown>, wanted: Record<string, unknown>) {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value === undefined || stored[key] === value) continue;
    before[key] = stored[key];
    after[key] = value;
  }
  return { before, after, changed: Object.keys(after).length > 0 };
}
