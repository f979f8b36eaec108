// Common tools (area tools): CDN refresh through the page against the CDN
// stand-in, the refusals under their field; the bastion command log
// searched by keyword, user and non-ASCII text, its lower-bound count;
// the menu by permission; both languages; axe; screenshots.
import { test, expect, admin, apiAs, signIn, shot, unique, setLanguage, ADMIN, axe } from './lib.js'
import { toolsUser, startCdnStandin, cdnAccount, shipLines } from './tools.lib.js'

const KEY = 'ui-cdn-key'
// The first page after signing in (the machine running the tests may be
// loaded: a longer wait than expect's default).
const welcomed = (page) => expect(page.getByTestId('home-welcome')).toBeVisible({ timeout: 90000 })
// An Element Plus select opened by its box (its input sits under a label).
const openSelect = (page, id) => page.locator(id).click({ force: true })
const SECRET = 'ui-cdn-secret-never-shown'

test.describe('tools: CDN refresh', () => {
  let standin
  let account
  test.beforeAll(async () => {
    standin = await startCdnStandin(KEY, SECRET)
    account = await cdnAccount('ALI_CDN', standin.port, KEY, SECRET)
  })
  test.afterAll(() => standin?.stop())

  test('tools: a refresh created in the page reaches FINISHED; refusals under the field', async ({ page }) => {
    test.setTimeout(300000)
    await signIn(page, ADMIN.username, ADMIN.password)
    await welcomed(page)
    // the menu: the group and both pages
    await expect(page.getByTestId('menu')).toContainText('常用工具')
    await page.goto('/ui/tools/cdn/new')
    await expect(page.getByRole('heading', { name: '新建刷新任务' })).toBeVisible()
    // no URLs: 30001 under the URLs
    await page.getByTestId('cdn-submit').click()
    const urlsItem = page.getByTestId('cdn-urls-item')
    await expect(urlsItem.locator('.el-form-item__error')).toHaveText('请至少填写一个 URL。')
    // a host outside cdn_domains (t/stack.sh: example.com, *.example.com,
    // .example.net): 30002, naming the line and the host
    await page.locator('#cdn-urls').fill('http://www.example.com/ok.png\nhttp://evil.example.org/x.png')
    await page.getByTestId('cdn-submit').click()
    await expect(urlsItem.locator('.el-form-item__error'))
      .toHaveText('第 2 行：域名 evil.example.org 不在允许刷新的 CDN 域名中。')
    // a directory refresh of a file: 10002 on urls[0], under the URLs
    await page.locator('#cdn-urls').fill('http://www.example.com/file.png')
    await page.getByTestId('cdn-mode-RECURSIVE').click()
    await page.getByTestId('cdn-submit').click()
    await expect(urlsItem.locator('.el-form-item__error')).toContainText('第 1 行：')
    // nothing was created by the refusals
    const a = await admin()
    const before = (await a.get('/common-utils/cdn-refresh-tasks/?page_size=1')).count
    // now a good one, on the stand-in's account
    const file = `http://www.example.com/ui/${unique('f')}.png`
    await page.locator('#cdn-urls').fill(`${file}\n\nhttp://img.example.net/图片/b.png\n`)
    await page.getByTestId('cdn-mode-SINGLE_FILE').click()
    await openSelect(page, '#cdn-account')
    await page.getByRole('option', { name: `${account.name} (#${account.id})` }).click()
    await axe(page, 'cdn-new')
    await shot(page, 'cdn-new')
    await page.getByTestId('cdn-submit').click()
    await expect(page).toHaveURL(/\/ui\/tools\/cdn\/\d+$/)
    const id = Number(page.url().match(/(\d+)$/)[1])
    await expect(page.getByTestId('cdn-urls')).toContainText(file)
    await expect(page.getByTestId('cdn-urls')).toContainText('http://img.example.net/图片/b.png')
    await expect(page.getByTestId('cdn-task')).toContainText('阿里云 CDN')
    await expect(page.getByTestId('cdn-task')).toContainText('#' + account.id)
    // the page follows the status to its end
    await expect(page.getByTestId('cdn-status')).toHaveText('已完成', { timeout: 30000 })
    const task = await a.get(`/common-utils/cdn-refresh-tasks/${id}/`)
    expect(task.status).toBe('FINISHED')
    expect(task.urls).toEqual([file, 'http://img.example.net/图片/b.png'])
    expect((await a.get('/common-utils/cdn-refresh-tasks/?page_size=1')).count).toBe(before + 1)
    await axe(page, 'cdn-task')
    await shot(page, 'cdn-task-finished')
    // the list: filtered by status and provider, the task links to its page
    await page.goto('/ui/tools/cdn')
    await page.locator('#cdn-f-creator').fill('admin')
    await page.getByTestId('cdn-search').click()
    const row = page.getByTestId('cdn-tasks').getByRole('row', { name: new RegExp('#' + id + '\\b') })
    await expect(row).toContainText(file)
    await expect(row).toContainText('已完成')
    await expect(row).toContainText('文件刷新')
    await axe(page, 'cdn-list')
    await shot(page, 'cdn-list')
    // English
    await setLanguage(page, 'en')
    await expect(page.getByRole('heading', { name: 'CDN refresh' })).toBeVisible()
    await expect(row).toContainText('Finished')
    await expect(row).toContainText('Aliyun CDN')
    await row.getByTestId('cdn-task-' + id).click()
    await expect(page.getByTestId('cdn-status')).toHaveText('Finished')
    await page.goto('/ui/tools/cdn/new')
    await page.locator('#cdn-urls').fill('ftp://www.example.com/a')
    await page.getByTestId('cdn-submit').click()
    await expect(urlsItem.locator('.el-form-item__error')).toContainText('Line 1:')
    await page.locator('#cdn-urls').fill('https://cdn.example.org/a.js')
    await page.getByTestId('cdn-submit').click()
    await expect(urlsItem.locator('.el-form-item__error'))
      .toHaveText('Line 1: the host cdn.example.org is not one of the CDN domains you may refresh.')
    await setLanguage(page, 'zh-CN')
  })
})

test('tools: the list filters by provider and status on the server, paged', async ({ page }) => {
  test.setTimeout(300000)
  const u = await toolsUser(['enable_common_tools', 'enable_cdn_refresher'])
  await signIn(page, u.username, u.password)
  await welcomed(page)
  const asked = []
  page.on('request', (r) => { if (r.url().includes('/common-utils/cdn-refresh-tasks/')) asked.push(r.url()) })
  await page.goto('/ui/tools/cdn')
  await expect(page.getByRole('heading', { name: 'CDN刷新' })).toBeVisible()
  // a user who may refresh but not list cloud accounts: no account choice
  await page.goto('/ui/tools/cdn/new')
  await expect(page.locator('#cdn-provider')).toBeVisible()
  await expect(page.getByTestId('cdn-account')).toHaveCount(0)
  await page.goto('/ui/tools/cdn')
  await openSelect(page, '#cdn-f-status')
  await page.getByRole('option', { name: '超时' }).click()
  await page.getByTestId('cdn-search').click()
  await expect.poll(() => asked.some((x) => /status=TIMEOUT/.test(x) && /page_size=20/.test(x))).toBe(true)
  // the jump log is not this user's: not in the menu, not allowed
  await expect(page.getByTestId('menu')).not.toContainText('跳板机日志')
  await page.goto('/ui/tools/jump-logs')
  await expect(page).toHaveURL(/\/ui\/forbidden/)
})

test('tools: menu by permission: none without the module, no CDN page with only the log switch', async ({ page }) => {
  test.setTimeout(300000)
  const none = await toolsUser([])
  await signIn(page, none.username, none.password)
  await welcomed(page)
  await expect(page.getByTestId('menu')).not.toContainText('常用工具')
  await page.goto('/ui/tools/cdn')
  await expect(page).toHaveURL(/\/ui\/forbidden/)
  // the tool's permission without the module's switch: still nothing
  const noSwitch = await toolsUser(['enable_jumpserver_log_mgmt'])
  await page.context().clearCookies()
  await signIn(page, noSwitch.username, noSwitch.password)
  await welcomed(page)
  await expect(page.getByTestId('menu')).not.toContainText('常用工具')
  await page.goto('/ui/tools/jump-logs')
  await expect(page).toHaveURL(/\/ui\/forbidden/)
  // the log switch only: the log page, no CDN page
  const logs = await toolsUser(['enable_common_tools', 'enable_jumpserver_log_mgmt'])
  await page.context().clearCookies()
  await signIn(page, logs.username, logs.password)
  await welcomed(page)
  const menu = page.getByTestId('menu')
  await expect(menu).toContainText('常用工具')
  await menu.getByText('常用工具').click()
  await expect(menu.getByText('跳板机日志')).toBeVisible()
  await expect(menu).not.toContainText('CDN刷新')
  await page.goto('/ui/tools/cdn')
  await expect(page).toHaveURL(/\/ui\/forbidden/)
  await page.goto('/ui/tools/cdn/new')
  await expect(page).toHaveURL(/\/ui\/forbidden/)
})

test('tools: jump log lines shipped through the API are found by keyword and user, highlighted; Chinese shown right', async ({ page }) => {
  test.setTimeout(300000)
  const u = await toolsUser(['enable_common_tools', 'enable_jumpserver_log_mgmt'])
  const client = await apiAs(u.username, u.password)
  const word = unique('zq').toLowerCase()
  const who = unique('ops').slice(0, 30)
  const other = unique('dev').slice(0, 30)
  const host = unique('bastion-').slice(0, 40)
  const t0 = Math.floor(Date.now() / 1000) - 600
  const lines = [
    { id: `${word}:1`, user: who, host, text: `grep -ri ${word} /var/log/app.log`, created_time: t0 },
    { id: `${word}:2`, user: who, host, text: `echo "部署完成 ${word.toUpperCase()}" | tee /tmp/状态.txt`, created_time: t0 + 60 },
    { id: `${word}:3`, user: other, host, text: `vim /etc/${word}/超时设置.conf`, created_time: t0 + 120 },
    { id: `${word}:4`, user: who, host, text: 'sudo systemctl restart nginx', created_time: t0 + 180 },
  ]
  await shipLines(client, lines)
  // sent again (a bastion's retry): nothing twice
  await shipLines(client, lines)
  await signIn(page, u.username, u.password)
  await welcomed(page)
  await page.goto('/ui/tools/jump-logs')
  await expect(page.getByRole('heading', { name: '跳板机日志' })).toBeVisible()
  // by keyword (the upper-case line too), newest first, highlighted
  await page.locator('#log-keyword').fill(word)
  await page.getByTestId('log-search').click()
  const texts = page.getByTestId('logs').getByTestId('log-text')
  await expect(texts).toHaveCount(3)
  await expect(page.getByTestId('log-count')).toHaveText(/共 3 条/)
  await expect(texts.nth(0)).toHaveText(`vim /etc/${word}/超时设置.conf`)
  await expect(texts.nth(1)).toHaveText(`echo "部署完成 ${word.toUpperCase()}" | tee /tmp/状态.txt`)
  await expect(texts.nth(2)).toHaveText(`grep -ri ${word} /var/log/app.log`)
  await expect(texts.nth(1).locator('mark')).toHaveText(word.toUpperCase())
  await expect(page.getByTestId('logs').locator('mark')).toHaveCount(3)
  // by keyword and user
  await page.locator('#log-user').fill(who)
  await page.getByTestId('log-search').click()
  await expect(texts).toHaveCount(2)
  await expect(page.getByTestId('logs')).not.toContainText(other)
  // a Chinese keyword, highlighted in the Chinese text
  await page.locator('#log-keyword').fill('超时设置')
  await page.locator('#log-user').fill('')
  await page.locator('#log-host').fill(host)
  await page.getByTestId('log-search').click()
  await expect(texts).toHaveCount(1)
  await expect(texts.first().locator('mark')).toHaveText('超时设置')
  await expect(page.getByTestId('logs')).toContainText(other)
  // the user alone: their three lines, newest first, nothing marked
  await page.locator('#log-keyword').fill('')
  await page.locator('#log-host').fill('')
  await page.locator('#log-user').fill(who)
  await page.getByTestId('log-search').click()
  await expect(texts).toHaveCount(3)
  await expect(texts.first()).toHaveText('sudo systemctl restart nginx')
  await expect(page.getByTestId('logs').locator('mark')).toHaveCount(0)
  await axe(page, 'jump-logs')
  await shot(page, 'jump-logs')
  // English
  await setLanguage(page, 'en')
  await expect(page.getByRole('heading', { name: 'Bastion command log' })).toBeVisible()
  await expect(page.getByTestId('log-count')).toHaveText(/3 lines/)
})

test('tools: more than 10,000 matches are counted "10,000+"', async ({ page }) => {
  test.setTimeout(300000)
  const u = await toolsUser(['enable_common_tools', 'enable_jumpserver_log_mgmt'])
  const client = await apiAs(u.username, u.password)
  const word = unique('many').toLowerCase()
  const t0 = Math.floor(Date.now() / 1000) - 20000
  const lines = Array.from({ length: 10050 }, (_, i) => ({
    id: `${word}:${i}`, user: 'bulk', host: 'bastion-bulk',
    text: `cat /srv/${word}/part-${i}.log | wc -l`, created_time: t0 + i }))
  const start = Date.now()
  await shipLines(client, lines)
  console.log(`tools: 10,050 lines shipped in ${Date.now() - start} ms`)
  await signIn(page, u.username, u.password)
  await welcomed(page)
  await page.goto('/ui/tools/jump-logs')
  await page.locator('#log-keyword').fill(word)
  await page.getByTestId('log-search').click()
  await expect(page.getByTestId('log-count')).toContainText('共 10,000+ 条')
  await expect(page.getByTestId('log-count')).toContainText('只显示下限')
  await expect(page.getByTestId('logs').getByTestId('log-text').first())
    .toHaveText(`cat /srv/${word}/part-10049.log | wc -l`)
  await shot(page, 'jump-logs-lower-bound')
  await setLanguage(page, 'en')
  await expect(page.getByTestId('log-count')).toContainText('10,000+ lines')
  await setLanguage(page, 'zh-CN')
})
