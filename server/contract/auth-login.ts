import { z } from 'zod';

/** No password policy here: a sign-in only compares, and must not reveal the rules' effect. */
export const loginInput = z.object({
  workspace: z.string().trim().toLowerCase().min(1, 'Enter your workspace address').max(40),
  email: z.string().trim().min(1, 'Enter your email').max(254),
  password: z.string().min(1, 'Enter your password').max(1024),
});
export type LoginInput = z.output<typeof loginInput>;
