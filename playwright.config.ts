import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;
const dataDir = `.data/e2e-${process.pid}`;

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  outputDir: "test-results",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
      ],
    },
  },
  // One server and one database for every spec: the inbox spec, which starts from an empty inbox, runs
  // first; specs that fill the inbox with imported conversations (backfill) or bot conversations (bots)
  // run last. With one worker, projects run in order.
  projects: [
    { name: "chromium-first", use: { ...devices["Desktop Chrome"] }, testMatch: /\/inbox\.spec\.ts$/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, testIgnore: /(\/inbox|backfill|bots)\.spec\.ts$/ },
    { name: "chromium-import", use: { ...devices["Desktop Chrome"] }, testMatch: /(backfill|bots)\.spec\.ts$/ },
  ],
  webServer: {
    // A production build on a fresh embedded database, in simulator mode (no Twilio account). Earlier runs'
    // databases are removed first (one e2e server per checkout at a time: the port is fixed).
    command: `rm -rf .data/e2e-* && npm run build && node server.mjs -p ${PORT}`,
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      PUBLIC_BASE_URL: baseURL,
      SIMULATOR_PORT: String(PORT + 1),
      HILO_DATA_DIR: dataDir,
      STORAGE_DRIVER: "disk",
      STORAGE_DIR: `${dataDir}-attachments`,
      NEXT_TELEMETRY_DISABLED: "1",
      TWILIO_ACCOUNT_SID: "",
      TWILIO_AUTH_TOKEN: "",
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
      // Specs create the bots they need (bots.spec.ts); an auto-answering demo bot would answer every spec's customers.
      DEMO_BOT: "off",
      // Each Twilio list page answers 0.6 s later, so a backfill's progress can be watched.
      SIMULATOR_LIST_DELAY_MS: "600",
    },
  },
});
