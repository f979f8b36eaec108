// The deployment pages (issues 12 and 13): deploy scripts (a Jinja2 error
// under its field, a refused delete), templates, credentials (secrets never
// shown again), an application's deploy settings, a deploy task from
// creation through approval to a real sub-upgrade shipped by the stack's
// hangar-agent to sshd test hosts from a git server (both started here),
// the instance log viewer, a user without deploy_app, both languages, axe.
import { test, expect as baseExpect, admin, newUser, signIn, shot, unique, setLanguage, apiAs, ADMIN, axe } from './lib.js'
import { startServers, stopServers, makeRepo, makeApp, settingsFor, writeLog, appendLog, clientKey, HOST_DOWN, HOSTS } from './deploy.lib.js'

// The machine is shared: pages may be slow, not wrong.
const expect = baseExpect.configure({ timeout: 30_000 })

const signInAdmin = async (page, next) => {
  await signIn(page, ADMIN.username, ADMIN.password, next)
  await expect(page.getByTestId('menu')).toBeVisible({ timeout: 90_000 })
}

// Pick an option of a remote <el-select> by typing part of its label.
async function pick(page, selector, text, label = text) {
  // the placeholder lies over the input: click through it
  await page.locator(selector).click({ force: true })
  await page.locator(selector).fill(text)
  await page.getByRole('option', { name: label }).first().click()
}

test.describe('deploy pages', () => {
  test.describe.configure({ timeout: 240_000 })
  let repoUrl
  test.beforeAll(async () => {
    await startServers()
    repoUrl = makeRepo(unique('uirepo'))
  })
  test.afterAll(() => stopServers())

  test('deploy: scripts, a Jinja2 error under the content, a refused delete', async ({ page }) => {
    const a = await admin()
    await signInAdmin(page, '/deploy/scripts')
    await expect(page.getByRole('heading', { name: '部署脚本' })).toBeVisible()
    const name = unique('uiscript')
    await page.getByTestId('script-new').click()
    await page.locator('#script-name').fill(name)
    await page.locator('#script-content').fill('echo {% if version %}\ncd {{ deploy_path }\n')
    await page.getByTestId('script-save').click()
    // the API's Jinja2 message, under the content field; nothing saved
    await expect(page.getByTestId('script-content-item').locator('.el-form-item__error'))
      .toContainText('is not a valid Jinja2 template')
    expect((await a.get('/applications/deploy-scripts/?name=' + name)).count).toBe(0)
    await page.locator('#script-content').fill('echo "{{ version }} on {{ host }}"\n')
    await page.getByTestId('script-save').click()
    await expect(page.getByTestId('scripts')).toContainText(name)
    const saved = (await a.get('/applications/deploy-scripts/?name=' + name)).results[0]
    expect(saved.content).toBe('echo "{{ version }} on {{ host }}"\n')
    expect(saved.language).toBe('bash')
    await shot(page, 'deploy-scripts')

    // in use by a template's hook: the delete is refused with the API's words
    const tpl = unique('uitplhook')
    await a.post('/applications/deploy-templates/', {
      name: tpl, repository: { type: 'GIT', url: repoUrl, branch: 'main' }, deploy_path: '/srv/x',
      lifecycle_hooks: { pre_exec: { script: saved.id } } })
    await page.getByTestId('filter-name').fill(name)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('scripts').locator('tbody tr')).toHaveCount(1)
    await page.getByRole('button', { name: '删除 ' + name }).click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await expect(page.locator('.el-message--error')).toContainText(`template "${tpl}"`)
    expect((await a.get('/applications/deploy-scripts/?name=' + name)).count).toBe(1)
  })

  test('deploy: a template, and credentials whose secrets are never shown again', async ({ page }) => {
    const a = await admin()
    await signInAdmin(page, '/deploy/templates')
    const tname = unique('uitpl')
    await page.getByTestId('template-new').click()
    await page.locator('#tpl-name').fill(tname)
    await page.locator('#tpl-url').fill('ftp://no-such')
    await page.locator('#tpl-path').fill('/srv/web')
    await page.getByTestId('template-save').click()
    // a GIT URL of the wrong kind: the API names repository.url, shown under it
    await expect(page.locator('.el-form-item.is-error')).toContainText('仓库地址')
    await page.locator('#tpl-url').fill(repoUrl)
    await page.getByTestId('template-save').click()
    await expect(page.getByTestId('templates')).toContainText(tname)
    const tpl = (await a.get('/applications/deploy-templates/?name=' + tname)).results[0]
    expect(tpl.repository.url).toBe(repoUrl)
    expect(tpl.deploy_path).toBe('/srv/web')
    await shot(page, 'deploy-templates')

    await page.goto('/ui/deploy/credentials')
    const cname = unique('uicred')
    const secret = 'Pw-' + unique('secret')
    await page.getByTestId('cred-new').click()
    await page.locator('#cred-name').fill(cname)
    await page.locator('#cred-username').fill('deployer')
    await page.locator('#cred-secret').fill(secret)
    await page.getByTestId('cred-save').click()
    const row = page.getByTestId('credentials').getByRole('row', { name: new RegExp(cname) })
    await expect(row).toContainText('******')
    await expect(page.locator('body')).not.toContainText(secret)
    const c = (await a.get('/applications/repository-credentials/password/?name=' + cname)).results[0]
    expect(c.username).toBe('deployer')
    expect(c.password).toBe('******')
    // editing shows no secret, and saving without one keeps it
    await page.getByRole('button', { name: '编辑 ' + cname }).click()
    await expect(page.locator('#cred-secret')).toHaveValue('')
    await page.getByTestId('cred-save').click()
    await expect(page.locator('#cred-name')).toBeHidden()	// saved: the dialog closed
    await page.reload()
    await expect(page.getByTestId('credentials')).toContainText(cname)
    await expect(page.locator('body')).not.toContainText(secret)
    // an SSH key
    await page.getByTestId('cred-kind').getByText('SSH 密钥').click()
    const kname = unique('uikey')
    await page.getByTestId('cred-new').click()
    await page.locator('#cred-name').fill(kname)
    await page.locator('#cred-secret').fill('not a key')
    await page.getByTestId('cred-save').click()
    await expect(page.locator('.el-form-item.is-error')).toContainText('私钥')
    await page.locator('#cred-secret').fill(clientKey())
    await page.getByTestId('cred-save').click()
    await expect(page.getByTestId('credentials')).toContainText(kname)
    await expect(page.locator('body')).not.toContainText('PRIVATE KEY-----')
    await shot(page, 'deploy-credentials')
  })

  test('deploy: an application\'s settings, its own and then a template', async ({ page }) => {
    const a = await admin()
    const { app } = await makeApp(a, [])
    const tname = unique('uitplf')
    await a.post('/applications/deploy-templates/', { name: tname, ...settingsFor(app, repoUrl) })
    await signInAdmin(page, '/deploy/settings')
    await page.getByTestId('app-search').fill(app.name)
    await page.getByTestId('app-search-go').click()
    await page.getByRole('link', { name: app.full_name }).click()
    await expect(page.getByTestId('settings-state')).toContainText('尚未配置')
    await page.locator('#app-url').fill(repoUrl)
    await page.locator('#app-branch').fill('main')
    await page.locator('#app-path').fill('/srv/' + app.name)
    await page.getByTestId('settings-save').click()
    await expect(page.getByTestId('settings-state')).toContainText('使用自己的配置')
    let s = await a.get(`/applications/${app.id}/deploy-settings/`)
    expect(s.repository.url).toBe(repoUrl)
    expect(s.deploy_path).toBe('/srv/' + app.name)
    expect(s.template).toBe(null)
    await shot(page, 'deploy-settings')
    await page.getByTestId('settings-mode').getByText('使用模板').click()
    await pick(page, '#app-template', tname)
    await page.getByTestId('settings-follow').click()
    await expect(page.getByTestId('settings-state')).toContainText(`使用模板“${tname}”`)
    s = await a.get(`/applications/${app.id}/deploy-settings/`)
    expect(s.template.name).toBe(tname)
  })

  test('deploy: a task created, approved, started and shipped to the hosts', async ({ page }) => {
    test.setTimeout(400_000)
    const a = await admin()
    const { app } = await makeApp(a, HOSTS)
    await a.patch(`/applications/${app.id}/deploy-settings/`, settingsFor(app, repoUrl))
    await signInAdmin(page, '/deploy/tasks')
    await page.getByTestId('task-new').click()
    await pick(page, '#task-app', app.name, app.full_name)
    await page.locator('#task-version').fill('v2')
    await page.locator('#task-source').fill(repoUrl)
    await page.locator('#task-desc').fill('ship v2 from the UI')
    await page.getByTestId('task-save').click()
    await expect(page).toHaveURL(/\/ui\/deploy\/tasks\/\d+$/)
    const id = Number(page.url().match(/(\d+)$/)[1])
    await expect(page.getByTestId('task-status')).toHaveText('待审核')
    await expect(page.getByTestId('task-version')).toHaveText('v2')
    expect((await a.get(`/application/deploy-tasks/${id}/`)).application_id).toBe(app.id)
    await page.getByTestId('act-approve').click()
    await expect(page.getByTestId('task-status')).toHaveText('已批准')
    await page.getByTestId('act-start').click()
    await expect(page.getByTestId('task-status')).toHaveText('执行中')
    await expect(page.getByTestId('act-approve')).toHaveCount(0)
    await page.getByTestId('sub-upgrade').click()
    const form = page.getByTestId('sub-form')
    await expect(form.locator('.el-select__selected-item .el-tag')).toHaveCount(HOSTS.length)	// every instance
    await page.getByTestId('sub-submit').click()
    // the API got it: the page shows the sub-task and its instances' hosts
    await expect(page.locator('section.hg-sub')).toHaveCount(1)
    const t = await a.get(`/application/deploy-tasks/${id}/`)
    expect(t.sub_tasks.length).toBe(1)
    const sub = page.getByTestId('sub-' + t.sub_tasks[0].task_id)
    await expect(sub).toContainText('v2')
    await expect(sub.locator('tbody tr')).toHaveCount(HOSTS.length)
    await expect(sub.getByTestId('sub-output')).toHaveAttribute('href', `/ui/tasks/${t.sub_tasks[0].task_id}`)
    // the real deploy: every instance reaches v2, the task finishes
    await expect(sub.getByTestId('sub-status')).toHaveText('已完成', { timeout: 240_000 })
    await expect(sub.getByTestId('inst-version')).toHaveText(HOSTS.map(() => 'v2'))
    await expect(page.getByTestId('task-status')).toHaveText('已完成')
    const inst = await a.get(`/applications/${app.id}/instances/`)
    expect(inst.results.map((i) => i.version)).toEqual(HOSTS.map(() => 'v2'))
    await sub.getByTestId('sub-output-toggle').click()
    await expect(sub.getByTestId('sub-output-panel')).toBeVisible()
    await page.mouse.move(0, 0)
    await shot(page, 'deploy-task')
    await axe(page, 'deploy task page')
    await page.goto('/ui/deploy/tasks')
    await expect(page.getByTestId('tasks')).toContainText(app.full_name)
    await axe(page, 'deploy task list')
    await shot(page, 'deploy-tasks')
  })

  test('deploy: task list filters and English', async ({ page }) => {
    const a = await admin()
    const { app } = await makeApp(a, [])
    await a.patch(`/applications/${app.id}/deploy-settings/`, settingsFor(app, repoUrl))
    const mk = (v) => a.post('/application/deploy-tasks/', { application_id: app.id, version: v, description: 'd',
      level: 'A', package_source: 'src', planned_exec_time: 1 })
    const t1 = await mk('f1')
    await mk('f2')
    await a.post(`/application/deploy-tasks/${t1.id}/actions/close/`)
    // another application's task, so the unfiltered first page differs
    const other = (await makeApp(a, [])).app
    await a.patch(`/applications/${other.id}/deploy-settings/`, settingsFor(other, repoUrl))
    await a.post('/application/deploy-tasks/', { application_id: other.id, version: 'o1', description: 'd',
      level: 'A', package_source: 'src', planned_exec_time: 1 })
    // The page's first, unfiltered list answers only after the filtered
    // one (as on a loaded machine): the late answer must not replace the
    // filtered rows.
    const isList = (u) => new URL(u).pathname === '/application/deploy-tasks/'
    const filtered = page.waitForResponse((r) => isList(r.url()) && new URL(r.url()).searchParams.has('application_id'))
    const unfiltered = (u) => isList(u.href) && !u.searchParams.has('application_id')
    const unfilteredDone = page.waitForResponse((r) => unfiltered(new URL(r.url())))
    await page.route(unfiltered, async (route) => { await filtered; await route.continue() }, { times: 1 })
    await signInAdmin(page, '/deploy/tasks')
    await pick(page, '#filter-app', app.name, app.full_name)
    await filtered
    await unfilteredDone
    await expect(page.getByTestId('tasks').locator('tbody tr')).toHaveCount(2)
    await expect(page.getByTestId('tasks')).not.toContainText('o1')
    await page.locator('#filter-status').click({ force: true })
    await page.getByRole('option', { name: '已关闭' }).click()
    await expect(page.getByTestId('tasks').locator('tbody tr')).toHaveCount(1)
    await expect(page.getByTestId('tasks')).toContainText('f1')
    await setLanguage(page, 'en')
    await expect(page.getByRole('heading', { name: 'Deploy tasks' })).toBeVisible()
    await expect(page.getByTestId('tasks')).toContainText('Closed')
    await expect(page.getByTestId('menu')).toContainText('Deploy scripts')
    await page.getByRole('link', { name: '#' + t1.id }).click()
    await expect(page.getByTestId('task-status')).toHaveText('Closed')
    await expect(page.getByTestId('task-facts')).toContainText('Package source')
    await setLanguage(page, 'zh-CN')
    await expect(page.getByTestId('task-status')).toHaveText('已关闭')
  })

  test('deploy: the instance log viewer, lines, follow, bytes and a host down', async ({ page }) => {
    const a = await admin()
    const { app, instances, logName } = await makeApp(a, [HOSTS[0], HOST_DOWN])
    writeLog(logName, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n')
    const live = instances.find((i) => i.hostname.startsWith(`uih${HOSTS[0]}-`))
    const down = instances.find((i) => i.hostname.startsWith(`uih${HOST_DOWN}-`))
    await signInAdmin(page, `/deploy/settings/${app.id}`)
    await page.getByTestId('instances').getByRole('row', { name: new RegExp(live.hostname) }).getByRole('link').click()
    await expect(page).toHaveURL(new RegExp(`/deploy/logs/${app.id}/${live.id}$`))
    const text = page.getByTestId('log-text')
    await expect(text).toContainText('line 30')
    await expect(text).toContainText('line 1\n')
    await page.locator('#log-latest').fill('5')
    await page.getByTestId('log-load').click()
    await expect(text).toHaveText('line 26\nline 27\nline 28\nline 29\nline 30\n')
    // follow: new lines appear as the file grows
    await page.getByTestId('log-follow').click()
    await expect(page.getByTestId('log-info')).toBeVisible()
    appendLog(logName, 'line 31\nline 32\n')
    await expect(text).toHaveText('line 26\nline 27\nline 28\nline 29\nline 30\nline 31\nline 32\n', { timeout: 60_000 })
    await page.getByTestId('log-follow').click()
    await shot(page, 'deploy-log')
    // bytes mode: a block from a position, then the next one
    await page.getByTestId('log-mode').getByText('按字节').click()
    await page.locator('#log-block').fill('10')
    await page.getByTestId('log-load').click()
    await expect(text).toHaveText('line 1\nlin')
    await page.getByTestId('log-next').click()
    await expect(text).toHaveText('line 1\nline 2\nline 3')
    await expect(page.getByTestId('log-info')).toContainText('20')
    // a host without sshd: the API's 502, shown
    await page.goto(`/ui/deploy/logs/${app.id}/${down.id}`)
    await expect(page.getByTestId('log-error')).toContainText('502')
  })

  test('deploy: a user without deploy_app sees tasks but no deploy or review buttons', async ({ page }) => {
    const a = await admin()
    const { app } = await makeApp(a, [HOSTS[1]])
    await a.patch(`/applications/${app.id}/deploy-settings/`, settingsFor(app, repoUrl))
    const mk = () => a.post('/application/deploy-tasks/', { application_id: app.id, version: 'n1', description: 'd',
      level: 'B', package_source: 'src', planned_exec_time: 1 })
    const waiting = await mk()
    const running = await mk()
    await a.post(`/application/deploy-tasks/${running.id}/actions/approve/`)
    await a.post(`/application/deploy-tasks/${running.id}/actions/start/`)
    const u = await newUser()
    await a.post(`/users/${u.id}/system/perms/`, { module_name: 'application', permissions: { enable_app_mgmt: true } })
    await a.post(`/users/${u.id}/application/perms/`, { authorizations: [{ id: app.id, permission: { view_app: true } }] })
    await signIn(page, u.username, u.password, `/deploy/tasks/${waiting.id}`)
    await expect(page.getByTestId('task-status')).toHaveText('待审核')
    await expect(page.getByTestId('task-facts')).toContainText(app.full_name)
    for (const b of ['act-approve', 'act-reject', 'act-start', 'act-close', 'act-edit', 'act-delegate']) {
      await expect(page.getByTestId(b)).toHaveCount(0)
    }
    await page.goto(`/ui/deploy/tasks/${running.id}`)
    await expect(page.getByTestId('task-status')).toHaveText('执行中')
    await expect(page.getByTestId('sub-upgrade')).toHaveCount(0)
    await expect(page.getByTestId('sub-revert')).toHaveCount(0)
    // the menu has the tasks and settings, not the template module's pages
    await expect(page.getByTestId('menu')).toContainText('发布任务')
    await expect(page.getByTestId('menu')).not.toContainText('部署脚本')
    await page.goto('/ui/deploy/scripts')
    await expect(page.locator('#hg-main')).toContainText('没有权限')
    // the API agrees: approving is refused
    const ua = await apiAs(u.username, u.password)
    await expect(ua.post(`/application/deploy-tasks/${waiting.id}/actions/approve/`)).rejects.toThrow(/403/)
  })
})
