// Accessibility (axe-core: no serious or critical violation), the size of
// the sign-in page, the time to the first page after signing in, the home
// page's figures against the API, screenshots.
import { writeFileSync, mkdirSync } from 'node:fs'
import { test, expect, newUser, signIn, shot, admin, unique, ARTIFACTS, ADMIN, axe } from './lib.js'

function figure(line) {
  console.log(line)
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(ARTIFACTS + '/figures.txt', line + '\n', { flag: 'a' })
}

test('the sign-in page: small, accessible', async ({ page }) => {
  let bytes = 0
  const files = []
  page.on('response', async (res) => {
    const url = res.url()
    if (!/\.(js|css)$/.test(new URL(url).pathname)) return
    const h = await res.allHeaders()
    const n = Number(h['content-length'] || (await res.body()).length)
    files.push(`${new URL(url).pathname} ${n} ${h['content-encoding'] || 'identity'}`)
    bytes += n
  })
  await page.goto('/ui/login')
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  await page.waitForLoadState('networkidle')
  figure(`login page: ${files.length} JS/CSS files, ${bytes} bytes as sent (gzip), limit 256000`)
  expect(files.every((f) => f.endsWith('gzip')), files.join('\n')).toBe(true)
  expect(bytes).toBeLessThanOrEqual(250 * 1024)
  await axe(page, 'login')
  await shot(page, 'login')
  await page.getByRole('link', { name: '忘记密码？' }).click()
  await expect(page.getByRole('heading', { name: '找回密码' })).toBeVisible()
  await axe(page, 'forgot-password')
})

test('the home page: figures from the API, fast, accessible', async ({ page }) => {
  const a = await admin()
  await a.post('/applications/', { name: unique('homeapp') })	// at least one
  const apps = (await a.get('/applications/?page_size=1')).count
  expect(apps).toBeGreaterThan(0)
  const raw = (await a.get('/hosts/?status=raw&page_size=1')).count
  await signIn(page, 'admin', process.env.HANGAR_ADMIN_PASSWORD)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  await expect(page.getByTestId('card-apps')).toContainText(String(apps))
  await expect(page.getByTestId('hosts-raw')).toHaveText(String(raw))
  await expect(page.getByTestId('card-activity')).toBeVisible()
  // the menu is built from the routes the admin may open
  await expect(page.getByTestId('menu')).toContainText('首页')

  // a fresh load of the first page after sign-in (the session cookie kept)
  const t0 = Date.now()
  await page.goto('/ui/')
  await expect(page.getByTestId('card-apps')).toContainText(String(apps))
  const shown = Date.now() - t0
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0]
    return { interactive: Math.round(n.domInteractive), loaded: Math.round(n.loadEventEnd) }
  })
  figure(`home page: DOM interactive ${nav.interactive} ms, load ${nav.loaded} ms, figures shown after ${shown} ms (Navigation Timing, loopback)`)
  expect(nav.interactive).toBeLessThan(1000)
  await axe(page, 'home')
  await shot(page, 'home')
})

test('a user without modules sees only its own pages', async ({ page }) => {
  const u = await newUser()
  await signIn(page, u.username, u.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  // no module permission: no application, host or task figures at all
  await expect(page.getByTestId('card-activity')).toHaveCount(0)
  await expect(page.getByTestId('card-apps')).toHaveCount(0)
  await expect(page.getByTestId('card-hosts')).toHaveCount(0)
  await page.goto('/ui/no-such-page')
  await expect(page.locator('#hg-main')).toContainText('页面不存在')
  await expect(page.locator('#hg-main')).toContainText('/no-such-page')
})

// Everything by keyboard: Tab moves the focus to the next thing one can
// use; tabTo presses it until `is` holds for the focused element (at most
// 60 times: a control the Tab key never reaches fails the test).
async function tabTo(page, what, is, arg) {
  const seen = []
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(is, arg)) return
    seen.push(await page.evaluate(() => {
      const e = document.activeElement
      return e ? `${e.tagName}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}[${(e.textContent || '').trim().slice(0, 12)}]` : 'none'
    }))
  }
  throw new Error(`the Tab key never reaches ${what}; it went to: ${seen.join(' > ')}`)
}

test('the keyboard alone: sign in, the menu and a submenu, a filtered list, a page, a dialog', async ({ page }) => {
  const a = await admin()
  const name = unique('uikbd')
  await a.post('/hosts/', { name, host_type: 'PHY_HOST' })
  await page.goto('/ui/login')
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  await tabTo(page, 'the user name', () => document.activeElement?.id === 'login-username')
  await page.keyboard.type(ADMIN.username)
  await tabTo(page, 'the password', () => document.activeElement?.id === 'login-password')
  await page.keyboard.type(ADMIN.password)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('menu')).toBeVisible()

  // the menu: its first item by Tab, the others by the arrow keys
  await tabTo(page, 'the menu', () => document.activeElement?.closest('[data-test=menu]') != null)
  // the focused entry's own words (a submenu's title, not its entries')
  const focusedText = () => page.evaluate(() => {
    const e = document.activeElement
    const t = e?.matches('.el-sub-menu') ? e.querySelector('.el-sub-menu__title') : e
    return t?.textContent?.trim() ?? ''
  })
  for (let i = 0; i < 12 && (await focusedText()) !== '主机'; i++) await page.keyboard.press('ArrowDown')
  expect(await focusedText()).toBe('主机')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/ui\/hosts/)

  // the list's name filter, typed and sent with Enter; the host opened
  await tabTo(page, 'the name filter', () => document.activeElement?.id === 'hf-name')
  await page.keyboard.type(name)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('hosts').locator('tbody tr')).toHaveCount(1)
  await tabTo(page, 'the host link', (n) => document.activeElement?.textContent === n, name)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('host-name')).toContainText(name)

  // a dialog opened from the keyboard and closed with Escape
  await tabTo(page, 'the edit button', () => document.activeElement?.dataset?.test === 'host-edit')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('dialog')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toBeHidden()

  // a submenu opened with the keyboard: 系统管理 -> 用户
  await tabTo(page, 'the menu again', () => document.activeElement?.closest('[data-test=menu]') != null)
  for (let i = 0; i < 12 && (await focusedText()) !== '系统管理'; i++) await page.keyboard.press('ArrowDown')
  expect(await focusedText()).toBe('系统管理')
  await page.keyboard.press('Enter')
  for (let i = 0; i < 6 && (await focusedText()) !== '用户'; i++) await page.keyboard.press('ArrowDown')
  expect(await focusedText()).toBe('用户')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/ui\/users/)
})
