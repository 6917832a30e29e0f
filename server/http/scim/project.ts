/**
 * RFC 7644 §3.4.2.5 `attributes` and `excludedAttributes`: a comma-separated list of attribute
 * names (optionally with the schema URN, or one level of sub-attribute). `id` and `schemas` are
 * always returned.
 */
const ALWAYS = new Set(['id', 'schemas']);

function names(list: string) {
  return list
    .split(',')
    .map((a) => a.trim().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, ''))
    .filter(Boolean)
    .map((a) => a.toLowerCase());
}

export function project(resource: Record<string, unknown>, attributes?: string, excludedAttributes?: string): Record<string, unknown> {
  if (attributes) {
    const wanted = names(attributes);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource)) {
      const lower = key.toLowerCase();
      if (ALWAYS.has(lower) || wanted.includes(lower)) {
        out[key] = value;
        continue;
      }
      const subs = wanted.filter((w) => w.startsWith(`${lower}.`)).map((w) => w.slice(lower.length + 1));
      if (!subs.length || value === null || typeof value !== 'object') continue;
      const pick = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([k]) => subs.includes(k.toLowerCase())));
      out[key] = Array.isArray(value) ? value.map((v) => pick(v as Record<string, unknown>)) : pick(value as Record<string, unknown>);
    }
    return out;
  }
  if (excludedAttributes) {
    const excluded = names(excludedAttributes);
    return Object.fromEntries(Object.entries(resource).filter(([key]) => ALWAYS.has(key.toLowerCase()) || !excluded.includes(key.toLowerCase())));
  }
  return resource;
}
