import { z } from 'zod';
import { PERMISSIONS } from './permissions';
import { AUDIENCES } from './seats';

const name = z.string().trim().min(1, 'Required').max(60, 'Use at most 60 characters');
const permissionList = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).transform((list) => [...new Set(list)].sort());

export const createRoleInput = z.object({ name, audience: z.enum(AUDIENCES), permissions: permissionList.default([]) });
export const updateRoleInput = z.object({ id: z.uuid(), name: name.optional(), permissions: permissionList.optional() });
