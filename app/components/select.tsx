import type { FieldMetadata } from '@conform-to/react';

type SelectProps = React.SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  options: readonly { value: string; label: string }[];
} & ({ meta: FieldMetadata<unknown>; name?: undefined; errors?: undefined } | { meta?: undefined; name: string; errors?: string[] });

export function Select({ label, options, meta, name: plainName, errors: plainErrors, ...select }: SelectProps) {
  const name = meta ? meta.name : plainName!;
  const errors = meta ? meta.errors : plainErrors;
  const remembered = meta && typeof meta.initialValue === 'string' ? meta.initialValue : undefined;
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <select
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
        {...select}
        {...(remembered !== undefined && select.value === undefined ? { defaultValue: remembered } : {})}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {errors?.length ? (
        <span className="field-error" id={errorId}>
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}
