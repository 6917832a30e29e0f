import { z } from 'zod';

/** Field schemas shared by every input that carries them, so a rule is written once. */

const RESERVED_SLUGS = new Set([
  'www', 'api', 'admin', 'app', 'login', 'logout', 'signup', 'signin', 'dev', 'mail', 'help', 'support',
  'billing', 'status', 'docs', 'static', 'assets', 'build', 'webhooks', 'trpc', 'healthz', 'seatwise',
  'dashboard', 'settings', 'root', 'system', 'test', 'staging', 'invite', 'auth', 'account',
]);

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'Use at least 3 characters')
  .max(40, 'Use at most 40 characters')
  .regex(/^[a-z0-9-]+$/, 'Use only letters a–z, digits and hyphens')
  .regex(/^[a-z0-9].*[a-z0-9]$/, 'Start and end with a letter or a digit')
  .refine((slug) => !RESERVED_SLUGS.has(slug), 'This workspace address is reserved');

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'Use at most 254 characters')
  .pipe(z.email('Enter a valid email address'));

export const personNameSchema = z.string().trim().min(1, 'Required').max(100, 'Use at most 100 characters');

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(128, 'Use at most 128 characters');
