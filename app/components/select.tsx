type SelectProps = React.SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  name: string;
  options: { value: string; label: string }[];
  errors?: string[];
};

export function Select({ label, name, options, errors, ...select }: SelectProps) {
  return (
    <label>
      {label}
      <select name={name} aria-invalid={errors?.length ? true : undefined} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {errors?.length ? <span className="field-error">{errors.join(' ')}</span> : null}
    </label>
  );
}
