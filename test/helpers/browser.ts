import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
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

/** A fresh profile, closed and removed after the file. `javaScript: false` is a browser with scripts off, as SPEC §7 means it. */
export async function launchBrowser({
  javaScript = true,
  acceptDownloads,
  viewport,
}: { javaScript?: boolean; acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: javaScript,
    acceptDownloads,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return context;
}

/** Full-page screenshots into one folder under the ignored test-results/, to look at after a run. */
export function screenshotsIn(folder: string) {
  return async (page: Page, name: string) => {
    mkdirSync(folder, { recursive: true });
    await page.screenshot({ path: `${folder}/${name}.png`, fullPage: true });
  };
}

/** Clicks a form's button and waits for the whole new document, as a plain (scriptless) form post. */
export async function submitForm(page: Page, button: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('load'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return response;
}
