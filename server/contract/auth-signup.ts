import { z } from 'zod';
import { emailSchema, passwordSchema, personNameSchema, slugSchema } from './fields';

export const signupInput = z.object({
  companyName: z.string().trim().min(1, 'Required').max(100, 'Use at most 100 characters'),
  slug: slugSchema,
  firstName: personNameSchema,
  lastName: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
});
export type SignupInput = z.output<typeof signupInput>;
