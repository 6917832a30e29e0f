import type { Submission } from '@conform-to/react';
import { parseWithZod } from '@conform-to/zod/v4';
import { configureCoercion } from '@conform-to/zod/v4/future';
import { z } from 'zod';
import type { ActionErrors } from './errors';

/**
 * Forms post text, and the contract's schemas were written to read it as posted: a blank field
 * stays '' so the contract decides whether it clears a value (`userName`), is refused ('Required',
 * 'Enter a whole number': a cleared settings field must not turn the sweep off, issue #13) or
 * means "the default" (`blankAsAbsent` below, per form). Numbers stay the digits typed, for
 * `wholeNumberSchema` to read, since Number() would accept '1e3' and '0x10'. Only booleans are
 * converted: a checkbox's "on" and a hidden field's "true"/"false".
 */
const type = {
  number: (): number => {
    throw new Error('the contract reads the digits');
  },
  boolean: (text: string) => {
    if (text === 'on' || text === 'true') return true;
    if (text === 'false') return false;
    throw new Error('Not a boolean');
  },
};
const asPosted = configureCoercion({ stripEmptyString: (value) => value, type });
/** Search filters: an "any" choice or an emptied search box is blank, and a blank filter filters nothing. */
const blankIsAbsent = configureCoercion({ type });

// Conform's own control fields; a tampered value makes its parser throw, and no form here uses them.
const RESERVED = ['__intent__', '__state__'];

/** Parses a form post (or search parameters) with a contract schema, the same way in the browser and on the server. */
export function parseForm<Schema extends z.ZodType>(payload: FormData | URLSearchParams, schema: Schema, { blank = 'kept' }: { blank?: 'kept' | 'absent' } = {}) {
  const options = { schema: (blank === 'kept' ? asPosted : blankIsAbsent).coerceFormValue(schema), disableAutoCoercion: true };
  try {
    return parseWithZod(payload, options);
  } catch {
    for (const name of RESERVED) payload.delete(name);
    return parseWithZod(payload, options);
  }
}

/** For a form where a blank field means "not given" (the server's default), rather than an empty value. */
export const blankAsAbsent = <Schema extends z.ZodType>(schema: Schema) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * The two passwords typed alike, or the field error a person expects. Checked whenever both were
 * typed, even when the password breaks a rule too (issue: a short, mismatched password showed only
 * one of its two errors): every applicable message shows at once.
 */
export const confirmed = <Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, password: keyof Shape & string) =>
  schema.extend({ confirm: z.string() }).refine(
    (value) => {
      const typed: Record<string, unknown> = value;
      return typed[password] === typed.confirm;
    },
    {
      message: 'The two passwords do not match.',
      path: ['confirm'],
      when: ({ value }) => {
        const typed: Record<string, unknown> = Object(value);
        return typeof typed[password] === 'string' && typeof typed.confirm === 'string';
      },
    },
  );

/**
 * A procedure's refusal, shown the way the form shows its own errors: field messages next to
 * their fields, the message on top when no field carries it (or when it is the seat limit, which
 * names the kind but is about the workspace).
 */
export function refusal<Output>(submission: Submission<unknown, string[], Output>, errors: ActionErrors, hideFields?: string[]) {
  const onFields = Object.keys(errors.fieldErrors).length > 0;
  return submission.reply({
    formErrors: !onFields || errors.data.reason === 'SEAT_LIMIT' ? [errors.message] : [],
    fieldErrors: errors.fieldErrors,
    hideFields,
  });
}
