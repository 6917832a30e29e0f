type FieldProps = React.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
};

/** A labelled input with its server-side messages right under it. */
export function Field({ label, name, errors, hint, ...input }: FieldProps) {
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      {hint ? <span className="hint">{hint}</span> : null}
      <input name={name} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? errorId : undefined} {...input} />
      {errors?.length ? (
        <span className="field-error" id={errorId}>
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}

export function FormAlert({ message }: { message?: string | null }) {
  return message ? (
    <div className="alert" role="alert">
      {message}
    </div>
  ) : null;
}
