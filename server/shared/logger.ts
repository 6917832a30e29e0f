import pino from 'pino';

/** Belt and braces: nothing secret is logged on purpose, and these paths are censored if it is. */
const REDACT = [
  'password', '*.password', '*.newPassword', '*.currentPassword', 'token', '*.token', 'key', '*.key',
  'req.headers.cookie', 'req.headers.authorization', 'headers.cookie', 'headers.authorization', '*.passwordHash',
];

export function createLogger(level: string, name = 'seatwise') {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** Invitation and reset links carry their token in the path; logs keep only the route. */
export const safePath = (path: string) =>
  path.replace(/^\/(invite|reset-password)\/[^/?#]+/, '/$1/:token').split('?')[0];
