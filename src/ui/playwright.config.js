// Browser tests (tests/*.spec.js) against a running Hangar stack: t/run-tests.sh
// (test name "ui") starts one and sets HANGAR_URL and HANGAR_ADMIN_PASSWORD.
// The browser is Debian's chromium, never a downloaded one.
import { defineConfig } from '@playwright/test'

const out = process.env.HANGAR_UI_ARTIFACTS || '../../t/tmp/ui-artifacts'

export default defineConfig({
  testDir: './tests',
  outputDir: out + '/results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.HANGAR_URL || 'http://127.0.0.1:8080',
    testIdAttribute: 'data-test',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.HANGAR_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
})
