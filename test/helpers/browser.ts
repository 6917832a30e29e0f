import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { onCleanup } from '../setup/cleanup';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, never a downloaded browser. Absent locally: the caller skips with a message;
 * with CI=true its absence is a failure, so CI can never pass without running the browser tests.
 */
export function chromiumAvailability(): { available: boolean; reason?: string } {
  if (existsSync(CHROMIUM)) return { available: true };
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: run .ci/run, which installs it.`);
  return { available: false, reason: `Skipping browser tests: ${CHROMIUM} not found (apt-get install -y chromium).` };
}

export async function launchBrowser(): Promise<BrowserContext> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return context;
}
