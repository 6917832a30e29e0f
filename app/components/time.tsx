import { useFormat } from '~/utils/format';

/**
 * An instant shown in the viewer's zone and locale, with the ISO instant kept machine-readable in
 * `dateTime` and the UTC instant in the title. The text is produced with an explicit zone and
 * locale on both sides; suppressHydrationWarning only covers a browser whose ICU data words a
 * zone differently from the server's (React then keeps the server's text).
 */
export function Time({ at, style = 'dateTime' }: { at: string | Date; style?: 'dateTime' | 'date' | 'time' }) {
  const format = useFormat();
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) return <>—</>;
  const iso = instant.toISOString();
  return (
    <time dateTime={iso} title={`${iso.slice(0, 16).replace('T', ' ')} UTC`} suppressHydrationWarning>
      {format[style](at)}
    </time>
  );
}
