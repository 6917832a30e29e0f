import { TIME_ZONES } from '../../server/contract/me';

/**
 * The IANA time zones a person may choose (`Intl.supportedValuesOf('timeZone')` plus UTC), the
 * very list the contract checks against, grouped by region for the profile page's select.
 */
export function timeZoneGroups(current?: string): { region: string; zones: string[] }[] {
  const groups = new Map<string, string[]>();
  const zones = current && !TIME_ZONES.includes(current) ? [current, ...TIME_ZONES] : TIME_ZONES;
  for (const zone of zones) {
    const region = zone.includes('/') ? zone.slice(0, zone.indexOf('/')) : 'Other';
    groups.set(region, [...(groups.get(region) ?? []), zone]);
  }
  return [...groups].map(([region, list]) => ({ region, zones: list }));
}

/** A zone as a person reads it: "America/Argentina/Buenos_Aires" → "Argentina / Buenos Aires". */
export const timeZoneLabel = (zone: string) => (zone.includes('/') ? zone.slice(zone.indexOf('/') + 1) : zone).replace(/_/g, ' ').replace(/\//g, ' / ');

/** The locales the profile page offers; a user's current locale is added when it is another one. */
export const LOCALES: readonly { value: string; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'en-GB', label: 'English (United Kingdom)' },
  { value: 'fr', label: 'Français' },
  { value: 'de', label: 'Deutsch' },
  { value: 'es', label: 'Español' },
  { value: 'pt-BR', label: 'Português (Brasil)' },
  { value: 'nl', label: 'Nederlands' },
  { value: 'it', label: 'Italiano' },
  { value: 'ja', label: '日本語' },
];

export function localeOptions(current?: string) {
  return current && !LOCALES.some((l) => l.value === current) ? [{ value: current, label: current }, ...LOCALES] : LOCALES;
}
