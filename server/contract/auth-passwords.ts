import { z } from 'zod';
import { emailSchema, passwordSchema } from './fields';

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
