// Browser tests against the local stack, in Debian's Chromium (Playwright's own browser downloads
// are not used). `infra/scripts/test.sh` builds the app and the gateway first.
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './e2e/chromium.mjs';

const port = process.env.CONFIDE_E2E_PORT ?? '3110';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts/results',
  // One worker: the flows share one emulator on two cores, and each test is a whole user journey.
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'en-GB',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
  webServer: {
    command: '../infra/scripts/e2e-stack.sh',
    url: `${baseURL}/v1/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { CONFIDE_E2E_PORT: port },
  },
});
