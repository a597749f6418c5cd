// What the browser tests share: the dashboard build they serve, and Debian's Chromium as
// playwright-core drives it (never a downloaded browser; flags this closed network needs).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { ROOT, startServer } from '../support/mock_server.mjs';

export const WEB_ROOT = process.env.LIVEDATA_WEB_ROOT ?? join(ROOT, 'web', 'dist');
const CHROMIUM = process.env.LIVEDATA_CHROMIUM ?? '/usr/bin/chromium';

/** A real mock-server serving the built dashboard beside its API. */
export async function startDashboardServer(extraArgs = []) {
  assert.ok(existsSync(join(WEB_ROOT, 'index.html')), `build the dashboard first (${WEB_ROOT} has no index.html)`);
  return startServer(['--web-root', WEB_ROOT, ...extraArgs]);
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
