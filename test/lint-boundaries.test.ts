import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules live in eslint.config.js and run in CI (`npm run lint`). These cases prove the
 * rule sees every way one file can reach another: import, `export … from`, dynamic import().
 */
const eslint = new ESLint();

async function boundaryErrors(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

describe('layer boundaries (eslint-plugin-boundaries)', () => {
  it.each([
    ['server/domain/users/probe.ts', "import { appRouter } from '../../trpc/router';\nexport const r = appRouter;\n"],
    ['server/domain/users/probe.ts', "export { appRouter } from '../../trpc/router';\n"],
    ['server/domain/users/probe.ts', "export const load = () => import('../../http/csrf');\n"],
    ['server/contract/probe.ts', "import { createUser } from '../domain/users/create';\nexport const c = createUser;\n"],
    ['app/routes/probe.tsx', "import { createUser } from '../../server/domain/users/create';\nexport const c = createUser;\n"],
    ['app/routes/probe.tsx', "export { createDb } from '../../db/index';\n"],
    ['app/routes/probe.tsx', "import { parseEnv } from '../../server/shared/env';\nexport const p = parseEnv;\n"],
    ['worker/probe.ts', "import { crossSiteProtection } from '../server/http/csrf';\nexport const c = crossSiteProtection;\n"],
    ['db/migrations/probe.ts', "import { SEAT_TYPES } from '../../server/contract/seats';\nexport const s = SEAT_TYPES;\n"],
    ['db/migrations/probe.ts', "import { WEB_ROLE } from '../index';\nexport const r = WEB_ROLE;\n"],
    ['db/probe.ts', "import { createUser } from '../server/domain/users/create';\nexport const c = createUser;\n"],
  ])('refuses %s reaching across: %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toHaveLength(1);
  });

  it.each([
    ['app/routes/probe.tsx', "import { SEAT_LABELS } from '../../server/contract/seats';\nexport const s = SEAT_LABELS;\n"],
    ['app/routes/probe.tsx', "import type { PublicUser } from '../../server/domain/users/columns';\nexport type U = PublicUser;\n"],
    ['app/routes/probe.tsx', "import type { AppError } from '../../server/shared/errors';\nexport type E = AppError;\n"],
    ['server/trpc/routers/probe.ts', "import { createUser } from '../../domain/users/create';\nexport const c = createUser;\n"],
    ['worker/probe.ts', "import { runInactivitySweep } from '../server/domain/users/inactivity';\nexport const r = runInactivitySweep;\n"],
  ])('allows %s: %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
