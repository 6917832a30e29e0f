import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeToken } from '../server/domain/auth/one-time-tokens';
import { SEAT_HOLDING, STATUSES, type UserStatus } from '../server/contract/statuses';
import { ADMIN_TRANSITIONS } from './helpers/spec';
import { createTestApp, type TestApp } from './helpers/app';
import { signUp } from './helpers/factories';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

type Op =
  | { type: 'create' }
  | { type: 'setStatus'; pick: number; status: UserStatus }
  | { type: 'accept'; pick: number }
  | { type: 'setRole'; pick: number; role: 'member' | 'read_only' | 'admin' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ type: 'create' }),
  fc.record({ type: fc.constant('setStatus' as const), pick: fc.nat(), status: fc.constantFrom(...STATUSES) }),
  fc.record({ type: fc.constant('accept' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('setRole' as const), pick: fc.nat(), role: fc.constantFrom('member' as const, 'read_only' as const, 'admin' as const) }),
);

describe('seat accounting against a model (fast-check)', () => {
  it('keeps used <= purchased and the per-status counts of the model after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { minLength: 1, maxLength: 14 }), async (free, ops) => {
        const { owner, tenant } = await signUp(app);
        const purchased = 1 + free;
        await app.database.owner('seat_pools').where({ tenantId: tenant.id, seatType: 'standard' }).update({ included: purchased });
        const roles = Object.fromEntries((await owner.roles.list()).map((r) => [r.key, r.id]));
        const model = new Map<string, { status: UserStatus; hasPassword: boolean }>();
        const used = () => 1 + [...model.values()].filter((u) => SEAT_HOLDING.includes(u.status)).length;
        let n = 0;

        for (const step of ops) {
          const ids = [...model.keys()];
          const pickId = (pick: number) => ids[pick % ids.length];
          if (step.type === 'create') {
            const expectOk = used() < purchased;
            const result = await owner.users.create({ kind: 'standard', email: `m${n++}@example.test`, firstName: 'M', lastName: 'M' }).then(
              (u) => u,
              (e) => e,
            );
            expect('id' in result, `create with ${used()}/${purchased}`).toBe(expectOk);
            if (expectOk) model.set(result.id, { status: 'invited', hasPassword: false });
          } else if (ids.length && step.type === 'setStatus') {
            const id = pickId(step.pick);
            const user = model.get(id)!;
            const regains = !SEAT_HOLDING.includes(user.status) && SEAT_HOLDING.includes(step.status);
            const expectOk = ADMIN_TRANSITIONS[user.status].includes(step.status) && (!regains || used() < purchased);
            const result = await owner.users.setStatus({ id, status: step.status, reason: 'model' }).then(
              (u) => u,
              (e) => e,
            );
            expect('id' in result, `${user.status} → ${step.status} at ${used()}/${purchased}`).toBe(expectOk);
            if (expectOk) user.status = step.status === 'active' && !user.hasPassword ? 'invited' : step.status;
          } else if (ids.length && step.type === 'accept') {
            const id = pickId(step.pick);
            const user = model.get(id)!;
            const token = await app.database.owner.transaction((trx) =>
              issueOneTimeToken({ trx, tenantId: tenant.id, userId: id, purpose: 'invitation', now: app.clock.now() }),
            );
            const ok = await (await app.caller()).auth.acceptInvite({ token, password: 'my own good password' }).then(
              () => true,
              () => false,
            );
            expect(ok).toBe(user.status === 'invited');
            if (ok) Object.assign(user, { status: 'active', hasPassword: true });
          } else if (ids.length && step.type === 'setRole') {
            await owner.users.setRole({ id: pickId(step.pick), roleId: roles[step.role] });
          }

          const summary = (await owner.seats.summary()).standard;
          expect(summary.used).toBeLessThanOrEqual(summary.purchased);
          expect(summary.used).toBe(used());
          const counts = Object.fromEntries(STATUSES.map((s) => [s, [...model.values()].filter((u) => u.status === s).length + (s === 'active' ? 1 : 0)]));
          expect(summary.byStatus).toEqual(counts);
          // The seat ledger agrees after every step: no path changed holding without writing it.
          const now = app.clock.now();
          const history = await owner.seats.history({ from: new Date(now.getTime() - 86_400_000).toISOString(), to: now.toISOString(), interval: 'day' });
          expect(history.standard.at(-1)!.used).toBe(used());
        }
      }),
      { numRuns: 25 },
    );
  });
});
