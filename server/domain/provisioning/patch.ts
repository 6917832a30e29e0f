import { NoTarget, scimPatch, ScimError, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { FilterArrayTargetNotFound, FilterOnEmptyArray } from 'scim-patch/lib/src/errors/scimErrors';
import type { z } from 'zod';
import type { ScimPatchInput } from '../../contract/scim';
import { AppError } from '../../shared/errors';

/**
 * PATCH (RFC 7644 §3.5.2) is applied by scim-patch to the resource as we serve it, value-path
 * filters included (`emails[type eq "work"].value`, `members[value eq "…"]`); the result is then
 * read by the same schema as a PUT. Operation names arrive lower-cased by the contract (Entra ID
 * sends "Replace"); Entra's "True"/"False" strings are read by that schema's boolean.
 */
export function applyPatch<T extends object>(resource: T, patch: ScimPatchInput): Record<string, unknown> {
  let patched = structuredClone(resource) as unknown as Record<string, unknown>;
  for (const asked of patch.Operations) {
    const ops = removeByValue(patched, asked);
    if (!ops) continue;
    for (const op of ops) patched = applyOne(patched, op);
  }
  return patched;
}

function applyOne(resource: Record<string, unknown>, op: ScimPatchInput['Operations'][number]): Record<string, unknown> {
  if (op.path === undefined && (op.value === null || typeof op.value !== 'object' || Array.isArray(op.value))) {
    throw new AppError('BAD_REQUEST', `An "${op.op}" operation without a path takes an object of attributes as its value.`, { scimType: 'invalidValue' });
  }
  try {
    return scimPatch(resource as unknown as ScimResource, [op as ScimPatchOperation]) as unknown as Record<string, unknown>;
  } catch (error) {
    // Removing what is not there leaves the resource as asked (Entra removes members twice).
    if (op.op === 'remove' && (error instanceof NoTarget || error instanceof FilterArrayTargetNotFound || error instanceof FilterOnEmptyArray)) return resource;
    // Whatever else scim-patch refuses (or trips on) is about the operation: a 400, never a 500.
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('BAD_REQUEST', `This PATCH operation cannot be applied (${op.op} ${op.path ?? 'without a path'}): ${message.slice(0, 200)}`, {
      scimType: error instanceof ScimError ? (error.scimCode ?? 'invalidPath') : 'invalidPath',
    });
  }
}

/**
 * Entra ID removes group members as `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`;
 * scim-patch removes only items deep-equal to those given (ours carry display and $ref too). Listed
 * members are removed here as one set (thousands at once stay linear; null: done), and any other
 * removal by value becomes the equivalent value-path removals `<path>[value eq "<id>"]`.
 */
function removeByValue(resource: Record<string, unknown>, op: ScimPatchInput['Operations'][number]): ScimPatchInput['Operations'] | null {
  if (op.op !== 'remove' || !op.path || op.path.includes('[') || !Array.isArray(op.value)) return [op];
  const values = op.value.map((v) => (v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined));
  if (!values.length || values.some((v) => typeof v !== 'string')) return [op];
  const current = resource[op.path];
  if (op.path === 'members' && Array.isArray(current)) {
    const removed = new Set(values as string[]);
    resource.members = current.filter((m: { value?: unknown }) => !removed.has(String(m.value)));
    return null;
  }
  return (values as string[]).map((v) => ({ op: 'remove' as const, path: `${op.path}[value eq ${JSON.stringify(v)}]` }));
}

/** Reads a patched resource with a resource schema, turning its errors into SCIM's. */
export function readPatched<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('BAD_REQUEST', `${issue.path.join('.') || 'value'}: ${issue.message}`, { scimType: 'invalidValue' });
  }
  return parsed.data;
}
