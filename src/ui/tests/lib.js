// Helpers of the browser tests (README: "Browser tests").  The stack comes
// from t/run-tests.sh: HANGAR_URL, HANGAR_ADMIN_PASSWORD, HANGAR_SMTP_DIR.
import { test as base, expect } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const URL_ = process.env.HANGAR_URL || 'http://127.0.0.1:8080'
export const ADMIN = { username: 'admin', password: process.env.HANGAR_ADMIN_PASSWORD || '' }
export const ARTIFACTS = process.env.HANGAR_UI_ARTIFACTS || new URL('../../../t/tmp/ui-artifacts', import.meta.url).pathname

// A name no other test of this run uses.
let seq = 0
export function unique(prefix) {
  return `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}${Math.floor(Math.random() * 1e4)}`
}

// `page` that fails the test on a script error or a CSP violation, and
// `attach(name, text)` for the figures a test prints.
export const test = base.extend({
  page: async ({ page }, use) => {
    const problems = []
    page.on('pageerror', (e) => problems.push('page error: ' + e.message))
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
        problems.push('console: ' + m.text())
      }
    })
    await use(page)
    expect(problems, 'script errors or CSP violations in the page').toEqual([])
  },
})
export { expect }

// A small API client for seeding (Node's fetch, the session cookie kept).
export async function apiAs(username, password) {
  let cookie = ''
  let csrf = ''
  async function call(method, path, body) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (cookie) headers.Cookie = cookie
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf
    const res = await fetch(URL_ + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) cookie = setCookie.split(';')[0]
    const text = await res.text()
    const data = text ? JSON.parse(text) : null
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return data
  }
  const login = await call('POST', '/auth/login/', { username, password })
  csrf = login.csrf_token
  return {
    user: login.user,
    get: (p) => call('GET', p),
    post: (p, b = {}) => call('POST', p, b),
    patch: (p, b = {}) => call('PATCH', p, b),
    del: (p) => call('DELETE', p),
  }
}

export const admin = () => apiAs(ADMIN.username, ADMIN.password)

// A new user made by the admin: { id, username, password, email, ... }.
export async function newUser(fields = {}) {
  const a = await admin()
  const username = fields.username || unique('ui')
  const password = fields.password || 'Pw-' + unique('x')
  const email = fields.email ?? `${username}@example.com`
  const user = await a.post('/users/', { username, password, email, ...fields, email })
  return { ...user, password }
}

// The newest mail the SMTP sink got for `address` (its whole text), or
// null; waits up to `ms` for it to arrive (hangar-agent sends it).
export async function readMail(address, { ms = 15000, after = -1 } = {}) {
  const dir = process.env.HANGAR_SMTP_DIR
  if (!dir) throw new Error('HANGAR_SMTP_DIR is not set (run through t/run-tests.sh)')
  const end = Date.now() + ms
  for (;;) {
    let best = null, bestN = -1
    for (const name of readdirSync(dir)) {
      const m = name.match(/^mail-(\d+)\.eml$/)
      if (!m || Number(m[1]) <= after) continue
      const text = readFileSync(join(dir, name), 'utf8')
      if (new RegExp(`(^|\\n)To: ${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r\\n`).test(text) &&
          Number(m[1]) > bestN) {
        best = text; bestN = Number(m[1])
      }
    }
    if (best) return best
    if (Date.now() > end) return null
    await new Promise((r) => setTimeout(r, 200))
  }
}

// A screenshot kept as an artifact: t/tmp/ui-artifacts/screens/NAME.png.
export async function shot(page, name) {
  const dir = join(ARTIFACTS, 'screens')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, name + '.png'), fullPage: true })
}

// Sign in through the page; lands on `next` (default the home page).
export async function signIn(page, username, password, next) {
  await page.goto('/ui/login' + (next ? '?next=' + encodeURIComponent(next) : ''))
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(password)
  await page.locator('[data-test=login-submit]').click()
}

// Switch the language from whatever page shows the switch.
export async function setLanguage(page, locale) {
  await page.locator('[data-test=language]').getByText(locale === 'en' ? 'English' : '中文').click()
}

// axe-core on the page at rest: every chunk's CSS loaded and no toast
// (ElMessage) on screen, since one fading in or out is half transparent
// and axe then measures its text against the page behind it.  Prints the
// count; fails on any serious or critical violation.
export async function axe(page, name) {
  await page.waitForLoadState('networkidle')
  await expect(page.locator('.el-message')).toHaveCount(0, { timeout: 15_000 })
  const r = await new AxeBuilder({ page }).analyze()
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`)
  console.log(`axe ${name}: ${r.violations.length} violations, ${bad.length} serious or critical`)
  expect(bad, `axe on ${name}`).toEqual([])
}
