import { createDb, WEB_ROLE } from '../db/index';
import { signup } from '../server/domain/tenants/signup';
import { parseEnv } from '../server/shared/env';
import { createJobSender } from '../server/jobs/index';

export const DEMO = { slug: 'demo', email: 'owner@demo.test', password: 'demo-password-1234' };

/** A workspace to click around in. Idempotent: does nothing when it exists. */
export async function seedDemo(url: string) {
  const env = parseEnv({ ...process.env, DATABASE_URL: url });
  const owner = createDb(url, { max: 1 });
  const web = createDb(url, { role: WEB_ROLE, max: 1 });
  try {
    if (await owner('tenants').where({ slug: DEMO.slug }).first('id')) {
      console.log(`Workspace "${DEMO.slug}" exists already.`);
      return;
    }
    await signup({
      db: web,
      env,
      jobs: createJobSender(),
      now: new Date(),
      meta: { ip: null, userAgent: 'db:seed' },
      input: { companyName: 'Demo Company', slug: DEMO.slug, firstName: 'Dana', lastName: 'Demo', email: DEMO.email, password: DEMO.password },
    });
    console.log(`Workspace "${DEMO.slug}": sign in as ${DEMO.email} with password ${DEMO.password}`);
  } finally {
    await Promise.all([owner.destroy(), web.destroy()]);
  }
}
