import { z } from 'zod';
import { emailSchema, passwordSchema, personNameSchema, slugSchema } from './fields';

/** No password policy here: a sign-in only compares, and must not reveal the rules' effect. */
export const loginInput = z.object({
  workspace: z.string().trim().toLowerCase().min(1, 'Enter your workspace address').max(40),
  email: z.string().trim().min(1, 'Enter your email').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});
export type LoginInput = z.output<typeof loginInput>;

export const requestPasswordResetInput = z.object({
  workspace: z.string().trim().toLowerCase().min(1, 'Enter your workspace address').max(40),
  email: emailSchema,
});

export const resetPasswordInput = z.object({
  token: z.string().min(20, 'This link is incomplete. Copy the whole link from the email.').max(200),
  password: passwordSchema,
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(1024),
  newPassword: passwordSchema,
});

export const signupInput = z.object({
  companyName: z.string().trim().min(1, 'Required').max(100, 'Use at most 100 characters'),
  slug: slugSchema,
  firstName: personNameSchema,
  lastName: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
});
export type SignupInput = z.output<typeof signupInput>;

export const acceptInviteInput = z.object({ token: z.string().min(20).max(200), password: passwordSchema });

/** Issue #18: a link's token, checked when its page opens (nothing is used up). */
export const linkTokenInput = z.object({ token: z.string().min(20, 'This link is incomplete. Copy the whole link from the email.').max(200) });
