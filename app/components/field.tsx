import type { FieldMetadata } from '@conform-to/react';

type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: string;
} & ({ meta: FieldMetadata<unknown>; name?: undefined; errors?: undefined } | { meta?: undefined; name: string; errors?: string[] });

/**
 * A labelled input with its messages right under it: the server's, or the browser's when Conform
 * validates on blur. With `meta` (a Conform field) the name, value after a refused post and errors
 * come from the form; a password is never echoed back.
 */
export function Field({ label, hint, meta, name: plainName, errors: plainErrors, ...input }: FieldProps) {
  const name = meta ? meta.name : plainName!;
  const errors = meta ? meta.errors : plainErrors;
  const remembered = meta && input.type !== 'password' && typeof meta.initialValue === 'string' ? meta.initialValue : undefined;
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      {hint ? <span className="hint">{hint}</span> : null}
      <input
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
        {...input}
        {...(remembered !== undefined && input.value === undefined ? { defaultValue: remembered } : {})}
      />
      {errors?.length ? (
        <span className="field-error" id={errorId}>
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}

export function FormAlert({ message }: { message?: string | string[] | null }) {
  const text = Array.isArray(message) ? message.join(' ') : message;
  return text ? (
    <div className="alert" role="alert">
      {text}
    </div>
  ) : null;
}
