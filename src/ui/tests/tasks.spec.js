// Tasks in the browser: a task's live output over the WebSocket with its
// ANSI colours as coloured spans, followed to the end; the long-polling
// fallback when the WebSocket is refused; the task lists per kind with
// their filters; a user who sees only tasks of its hosts; English; axe.
import { test, expect as baseExpect, signIn, shot, setLanguage, newUser, unique, admin, ADMIN, axe } from './lib.js'
import { startLab, stopLab, labHosts, hostViewer, hold } from './hosts.lib.js'

// the machine these run on is shared and often loaded: room to wait
const expect = baseExpect.configure({ timeout: 90_000 })
test.describe.configure({ timeout: 480_000 })
test.afterEach(() => hold(false))	// a failed test must not leave the hosts waiting

const FIRST = 94, LAST = 95		// sshd hosts 127.0.0.94..95

let prefix, hosts
test.beforeAll(async () => {
  test.setTimeout(120_000)
  await startLab(FIRST, LAST)
  prefix = unique('uit')
  hosts = await labHosts(prefix, FIRST, LAST)
})
test.afterAll(async () => { await stopLab() })

const restart = async (ids) => (await (await admin()).post('/hosts/restart-tasks/',
  ids.map((id) => ({ host_id: id })))).task_id

test('live output over the WebSocket: ANSI colours, host filter, grouping, the end', async ({ page }) => {
  const frames = []
  const sockets = []
  page.on('websocket', (ws) => {
    sockets.push(ws.url())
    ws.on('framereceived', (f) => frames.push(String(f.payload)))
  })
  await signIn(page, ADMIN.username, ADMIN.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  hold(true)		// the hosts wait after their first lines
  const id = await restart(hosts.map((h) => h.id))
  await page.goto(`/ui/tasks/${id}`)		// no kind: the page finds it
  await expect(page.getByRole('heading', { name: new RegExp(`重启 · 任务 #${id}`) })).toBeVisible()
  const out = page.getByTestId('task-output')
  const panel = out.getByTestId('output-panel')
  // the colours: classes of ansi.css, shown in the colours they name
  const red = panel.locator('span.hg-ansi-fg-1', { hasText: 'red-alert' }).first()
  await expect(red).toBeVisible({ timeout: 90_000 })
  await expect(red).toHaveCSS('color', 'rgb(255, 107, 107)')
  const green = panel.locator('span.hg-ansi-bold', { hasText: 'bold-green' }).first()
  await expect(green).toHaveClass(/hg-ansi-fg-10/)
  await expect(green).toHaveCSS('font-weight', '700')
  await expect(panel.locator('span.hg-ansi-fg-208', { hasText: 'orange-208' }).first()).toHaveCSS('color', 'rgb(255, 135, 0)')
  // no escape character reaches the page
  expect(await panel.innerText()).not.toContain('\x1b')
  // still running: live over the WebSocket
  await expect(page.getByTestId('task-status')).toHaveText('运行中')
  await expect(out).toHaveAttribute('data-via', 'ws')
  await expect(out).toHaveAttribute('data-ended', 'false')
  await expect(out.getByTestId('output-state')).toContainText('实时')
  hold(false)

  await expect(out).toHaveAttribute('data-ended', 'true', { timeout: 120_000 })
  await expect(out).toHaveAttribute('data-via', 'ws')
  expect(sockets.some((u) => u.endsWith(`/ws/tasks/${id}`))).toBe(true)
  expect(frames.some((f) => f.includes('red-alert'))).toBe(true)
  expect(frames.some((f) => /"finished":\s*true/.test(f))).toBe(true)
  await expect(page.getByTestId('task-status')).toHaveText('已完成', { timeout: 90_000 })
  for (const h of hosts) await expect(page.getByTestId('task-results')).toContainText(h.name)

  // one host's lines only, then grouped by host
  const [h1, h2] = [`h${FIRST}`, `h${LAST}`]
  await expect(panel).toContainText(`plain line on ${h1}`)
  await expect(panel).toContainText(`plain line on ${h2}`)
  await out.getByTestId('output-host').click()
  await page.getByRole('option', { name: hosts[0].name }).click()
  await expect(panel).toContainText(`plain line on ${h1}`)
  await expect(panel).not.toContainText(`plain line on ${h2}`)
  await out.getByTestId('output-host').click()
  await page.getByRole('option', { name: '全部主机' }).click()
  await out.getByTestId('output-grouped').click()
  await expect(panel.locator('section.hg-output-group')).toHaveCount(2)
  await expect(panel.locator(`section[data-host="${hosts[1].name}"]`)).toContainText(`plain line on ${h2}`)
  await axe(page, 'task page (live output)')
  await shot(page, 'task-output-ansi')
})

test('the WebSocket refused: the output is long-polled to the end', async ({ page }) => {
  // every task WebSocket is closed at once, as a proxy without it would
  await page.routeWebSocket(/\/ws\/tasks\//, (ws) => ws.close({ code: 1011, reason: 'refused by the test' }))
  const polls = []
  page.on('request', (r) => { if (/\/tasks\/\d+\/output\//.test(r.url())) polls.push(r.url()) })
  await signIn(page, ADMIN.username, ADMIN.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  hold(true)
  const id = await restart([hosts[0].id])
  await page.goto(`/ui/tasks/${id}?kind=restart`)
  const out = page.getByTestId('task-output')
  await expect(out).toHaveAttribute('data-via', 'poll')
  const panel = out.getByTestId('output-panel')
  // followed live by long-polling while the task runs
  await expect(panel.locator('span.hg-ansi-fg-1', { hasText: 'red-alert' })).toHaveCount(1)
  await expect(out).toHaveAttribute('data-ended', 'false')
  await expect(out.getByTestId('output-state')).toContainText('轮询')
  hold(false)
  await expect(out).toHaveAttribute('data-ended', 'true', { timeout: 120_000 })
  await expect(panel).toContainText(`plain line on h${FIRST}`)
  await expect(panel).toContainText('power restart')
  // each line once, though the task was read live and then from the record
  await expect(panel.getByText(`plain line on h${FIRST}`)).toHaveCount(1)
  await expect(page.getByTestId('task-status')).toHaveText('已完成', { timeout: 90_000 })
  expect(polls.length).toBeGreaterThan(0)
  expect(polls.some((u) => u.includes('cursor='))).toBe(true)	// it followed with the cursor
})

test('task lists per kind: filters, paging, links; English', async ({ page }) => {
  const id = await restart([hosts[1].id])
  await signIn(page, ADMIN.username, ADMIN.password, `/tasks?kind=restart&hostname=${hosts[1].name}`)
  const table = page.getByTestId('tasks')
  await expect(table.getByRole('link', { name: `#${id}` })).toBeVisible()
  await expect(table).toContainText(hosts[1].name)
  // another kind has none of these hosts
  await page.getByRole('tab', { name: '停止' }).click()
  await expect(page).toHaveURL(/kind=stop/)
  await expect(table).not.toContainText(hosts[1].name)
  await page.getByRole('tab', { name: '重启' }).click()
  // a creator filter that matches nobody
  await page.locator('#tf-creator').fill('nobody-' + unique('x'))
  await page.getByTestId('tf-search').click()
  await expect(table).toContainText('暂无数据')
  await page.locator('#tf-creator').fill('admin')
  await page.getByTestId('tf-search').click()
  await expect(table.getByRole('link', { name: `#${id}` })).toBeVisible()
  await axe(page, 'task list')
  await shot(page, 'tasks-list')
  await setLanguage(page, 'en')
  await expect(page.getByRole('heading', { name: 'Host tasks' })).toBeVisible()
  await expect(page.getByRole('tab', { name: 'Restart' })).toBeVisible()
  await expect(table.locator('thead')).toContainText('Creator')
  await table.getByRole('link', { name: `#${id}` }).click()
  await expect(page.getByRole('heading', { name: new RegExp(`Restart · Task #${id}`) })).toBeVisible()
  await expect(page.getByTestId('task-output')).toHaveAttribute('data-ended', 'true', { timeout: 120_000 })
  await expect(page.getByTestId('task-status')).toHaveText('Finished', { timeout: 90_000 })
  await expect(page.getByTestId('task-results')).toContainText('Succeeded')
  await shot(page, 'task-en')
})

test('a user sees only the tasks all of whose hosts it may view', async ({ page }) => {
  const both = await restart(hosts.map((h) => h.id))
  const one = await restart([hosts[0].id])
  const u = await newUser()
  await hostViewer(u, [hosts[0].id])
  await signIn(page, u.username, u.password, `/tasks?kind=restart&hostname=${prefix}`)
  const table = page.getByTestId('tasks')
  await expect(table.getByRole('link', { name: `#${one}` })).toBeVisible()
  await expect(table.getByRole('link', { name: `#${both}` })).toHaveCount(0)
  await expect(table).not.toContainText(hosts[1].name)
  // the other task's page shows nothing of it
  await page.goto(`/ui/tasks/${both}`)
  await expect(page.getByTestId('task-output').locator('.el-alert--error')).toBeVisible({ timeout: 90_000 })
  await expect(page.locator('body')).not.toContainText(hosts[1].name)
  await expect(page.getByTestId('task-results')).toHaveCount(0)
})
