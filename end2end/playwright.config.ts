import { defineConfig } from '@playwright/test';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

// The release server that `scripts/test.sh` built, on a port of its own, with a fresh data
// folder (so a fresh SQLite database and the demo merchant) for every run.
const port = Number(process.env.E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${port}`;
const repoRoot = path.resolve(__dirname, '..');
const targetDir = path.resolve(repoRoot, process.env.CARGO_TARGET_DIR ?? 'target');
// Made once, in the main process; the workers it starts inherit the variable, so that tests
// can read the mail outbox of the server they talk to.
if (!process.env.PORTICO_E2E_DATA_DIR) {
  process.env.PORTICO_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-e2e-'));
}
const dataDir = process.env.PORTICO_E2E_DATA_DIR;
process.env.PORTICO_E2E_BASE_URL = baseURL;
process.env.PORTICO_E2E_BINARY = path.join(targetDir, 'release', 'portico');
// The integration tests' fake Xero, as a process (server/examples/fake_accounting.rs): the
// accounting test connects a merchant of its own to it.
const fakeXero = `http://127.0.0.1:${Number(process.env.E2E_FAKE_XERO_PORT ?? 3109)}`;

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  },
};
const desktop = { ...chromium, viewport: { width: 1280, height: 800 } };
const phone = {
  ...chromium,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'desktop', use: desktop },
    { name: 'phone', use: phone },
    { name: 'desktop-no-js', use: { ...desktop, javaScriptEnabled: false } },
    { name: 'phone-no-js', use: { ...phone, javaScriptEnabled: false } },
  ],
  webServer: [
    {
      command: path.join(targetDir, 'debug', 'examples', 'fake_accounting'),
      url: `${fakeXero}/`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { FAKE_XERO_ADDR: fakeXero.replace('http://', '') },
    },
    {
    command: path.join(targetDir, 'release', 'portico'),
    cwd: repoRoot,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(repoRoot, 'target', 'site'),
      PORTICO_DATA_DIR: dataDir,
      // Each test names its own client in this header, so that the per-client limit on sign-in
      // codes applies per test rather than to the whole run from 127.0.0.1.
      PORTICO_CLIENT_IP_HEADER: 'x-e2e-client',
      RUST_LOG: 'warn',
      XERO_CLIENT_ID: 'portico-test-client',
      XERO_CLIENT_SECRET: 'portico-test-secret',
      XERO_AUTH_URL: `${fakeXero}/identity/connect/authorize`,
      XERO_TOKEN_URL: `${fakeXero}/connect/token`,
      XERO_REVOKE_URL: `${fakeXero}/connect/revocation`,
      XERO_CONNECTIONS_URL: `${fakeXero}/connections`,
      XERO_API_URL: `${fakeXero}/api.xro/2.0`,
    },
    },
  ],
});
