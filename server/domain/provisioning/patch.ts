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
  let patched = structuredClone(resource) as unknown as ScimResource;
  for (const op of patch.Operations.flatMap(byValue)) {
    if (op.path === undefined && (op.value === null || typeof op.value !== 'object' || Array.isArray(op.value))) {
      throw new AppError('BAD_REQUEST', `An "${op.op}" operation without a path takes an object of attributes as its value.`, { scimType: 'invalidValue' });
    }
    try {
      patched = scimPatch(patched, [op as ScimPatchOperation]);
    } catch (error) {
      // Removing what is not there leaves the resource as asked (Entra removes members twice).
      if (op.op === 'remove' && (error instanceof NoTarget || error instanceof FilterArrayTargetNotFound || error instanceof FilterOnEmptyArray)) continue;
      // Whatever else scim-patch refuses (or trips on) is about the operation: a 400, never a 500.
      const message = error instanceof Error ? error.message : String(error);
      throw new AppError('BAD_REQUEST', `This PATCH operation cannot be applied (${op.op} ${op.path ?? 'without a path'}): ${message.slice(0, 200)}`, {
        scimType: error instanceof ScimError ? (error.scimCode ?? 'invalidPath') : 'invalidPath',
      });
    }
  }
  return patched as unknown as Record<string, unknown>;
}

/**
 * Entra ID removes group members as `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`;
 * scim-patch removes only items deep-equal to those given (ours carry display and $ref too), so
 * each becomes the equivalent value-path removal `members[value eq "<id>"]`.
 */
function byValue(op: ScimPatchInput['Operations'][number]): ScimPatchInput['Operations'] {
  if (op.op !== 'remove' || !op.path || op.path.includes('[') || !Array.isArray(op.value)) return [op];
  const values = op.value.map((v) => (v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined));
  if (!values.length || values.some((v) => typeof v !== 'string')) return [op];
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
