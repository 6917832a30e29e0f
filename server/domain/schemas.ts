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

/** The most common passwords that pass the length rule; each is among the first tried in attacks. */
const COMMON_PASSWORDS = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456123456', '111111111111', '000000000000',
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'password1234!', 'p@ssw0rd1234',
  'qwertyuiopas', 'qwerty123456', 'qwertyqwerty', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'abcdefghijkl', 'abc123abc123',
  'iloveyou1234', 'aaaaaaaaaaaa', 'letmein12345', 'welcome12345', 'welcome123456', 'changeme1234', 'administrator',
  'admin1234567', 'adminadmin12', 'trustno1trustno1', 'football1234', 'baseball1234', 'monkey123456',
  'dragon123456', 'sunshine1234', 'princess1234', 'superman1234', 'starwars1234', 'whatever1234',
  'asdfghjkl123', 'zxcvbnm12345', 'mypassword12', 'mypassword123', 'secret123456', 'seatwise1234',
]);

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(128, 'Use at most 128 characters')
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), 'This password is too common. Choose another one.');
