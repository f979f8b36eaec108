// Administration: users (create, edit, disable/enable, roles, delete), the
// module permission matrix (checked through the API and in the user's own
// menu), what a non-superuser sees, write-only secrets of credentials and
// cloud accounts, navigators, both languages, axe, screenshots.
import { test, expect as baseExpect, admin, newUser, unique, signIn, shot, setLanguage, readMail, ADMIN, axe } from './lib.js'

// The machine is shared and slow at times: pages get 30 s, tests 10 min (a cold browser
// and sign-in alone took 4 min at a load average of 70).
const expect = baseExpect.configure({ timeout: 30_000 })
test.describe.configure({ timeout: 600_000 })

// The first page after signing in: argon2 under ASan on a loaded machine
// can take long.
async function signedIn(page) {
  await expect(page.locator('aside nav')).toBeVisible({ timeout: 90_000 })
}

async function asAdmin(page, next) {
  await signIn(page, ADMIN.username, ADMIN.password, next)
  await signedIn(page)
}

// The users list filtered to one username: its row.
async function userRow(page, username) {
  await page.locator('#uf-username').fill(username)
  await page.getByTestId('users-search').click()
  const row = page.getByTestId('users').locator('.el-table__body tr', { hasText: username })
  await expect(row).toHaveCount(1)
  return row
}

async function confirmBox(page, text, button) {
  const box = page.locator('.el-message-box')
  await expect(box).toContainText(text)
  await box.getByRole('button', { name: button }).click()
}

test('users: create, edit, disable and enable, a role, delete with the name asked', async ({ page }) => {
  const a = await admin()
  const role = await a.post('/roles/', { name: unique('uirole') })
  const username = unique('adm')
  await asAdmin(page, '/users')
  await expect(page.getByRole('heading', { name: '用户' })).toBeVisible()

  // create: a field's error under the field first
  await page.getByTestId('user-new').click()
  await page.locator('#ud-username').fill(username)
  await page.locator('#ud-password').fill('short')
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('user-dialog').locator('.el-form-item__error')).toHaveText('至少 8 个字符。')
  await page.locator('#ud-password').fill('Pw-long-enough-1')
  await page.locator('#ud-name').fill('王五')
  await page.locator('#ud-email').fill('not an address')
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('user-dialog').locator('.el-form-item__error')).toHaveCount(1)
  await expect(page.getByTestId('user-dialog').locator('.el-form-item', { has: page.locator('#ud-email') })
    .locator('.el-form-item__error')).toBeVisible()
  await page.locator('#ud-email').fill(`${username}@example.com`)
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('user-dialog')).toBeHidden()
  let row = await userRow(page, username)
  await expect(row).toContainText('王五')
  await expect(row.getByTestId('user-status')).toHaveText('已启用')
  const [u] = (await a.get(`/users/?username=${username}`)).results
  expect(u.email).toBe(`${username}@example.com`)

  // edit
  await row.getByTestId('user-edit').click()
  await page.locator('#ud-name').fill('王五五')
  await page.locator('#ud-phone').fill('13800000000')
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('user-dialog')).toBeHidden()
  await expect(row).toContainText('王五五')
  await expect(row).toContainText('13800000000')
  expect((await a.get(`/users/${u.id}/`)).phone).toBe('13800000000')

  // disable, enable: the list shows the state, the API agrees
  await row.getByTestId('user-disable').click()
  await expect(row.getByTestId('user-status')).toHaveText('已禁用')
  expect((await a.get(`/users/${u.id}/`)).status).toBe('disabled')
  await page.locator('[data-test=filter-status]').click()
  await page.getByRole('option', { name: '已禁用' }).click()
  await page.getByTestId('users-search').click()
  await expect(page.getByTestId('users').locator('.el-table__body')).toContainText(username)
  await page.goto('/ui/users')	// the filters cleared
  row = await userRow(page, username)
  await row.getByTestId('user-enable').click()
  await expect(row.getByTestId('user-status')).toHaveText('已启用')
  // ... and now a "disabled" list does not hold it
  await page.locator('[data-test=filter-status]').click()
  await page.getByRole('option', { name: '已禁用' }).click()
  await page.getByTestId('users-search').click()
  await expect(page.getByTestId('users').locator('.el-table__body')).not.toContainText(username)
  expect((await a.get(`/users/${u.id}/`)).status).toBe('enabled')
  await shot(page, 'users')

  // a role, from the user's page
  await page.goto(`/ui/users/${u.id}`)
  await expect(page.getByTestId('user-facts')).toContainText('王五五')
  await page.getByRole('tab', { name: '角色' }).click()
  await page.getByTestId('role-pick').click()
  await page.getByTestId('role-pick').locator('input').fill(role.name)
  await page.getByRole('option', { name: role.name }).click()
  await page.getByTestId('role-add').click()
  await expect(page.getByTestId('user-roles')).toContainText(role.name)
  expect((await a.get(`/users/${u.id}/`)).roles.map((r) => r.id)).toEqual([role.id])
  // the password reset mail, to the user's address
  await page.getByRole('tab', { name: '基本信息' }).click()
  await page.getByTestId('user-reset').click()
  await confirmBox(page, `${username}@example.com`, '发送')
  await expect(page.getByText(`重置链接已发往 ${username}@example.com`)).toBeVisible()
  expect(await readMail(`${username}@example.com`)).toContain('reset-password?token=')
  // the role's page lists the member
  await page.goto(`/ui/roles/${role.id}`)
  await expect(page.getByTestId('members')).toContainText(username)

  // delete: the confirmation names the user
  await page.goto('/ui/users')
  row = await userRow(page, username)
  await row.getByTestId('user-delete').click()
  await confirmBox(page, `删除用户「${username}」`, '删除')
  await expect(page.getByTestId('users').locator('.el-table__body')).not.toContainText(username)
  expect((await a.get(`/users/?username=${username}`)).count).toBe(0)
})

test('module permission matrix: a flip takes, and that user then has the module in its menu', async ({ page }) => {
  const a = await admin()
  const u = await newUser()
  await asAdmin(page, `/users/${u.id}`)
  await page.getByRole('tab', { name: '模块权限' }).click()
  const matrix = page.getByTestId('module-perms')
  await expect(matrix.getByTestId('module-navigator')).toContainText('外部导航')
  const sw = matrix.getByTestId('perm-navigator-enable_navigator')
  const view = matrix.getByTestId('perm-navigator-view_navigator')
  await expect(sw).not.toHaveClass(/is-checked/)
  await sw.click()
  await expect(sw).toHaveClass(/is-checked/)
  await view.click()
  await expect(view).toHaveClass(/is-checked/)
  await shot(page, 'module-perms')
  await axe(page, 'module permission matrix')
  // the API holds it
  const perms = await a.get(`/users/${u.id}/system/perms/`)
  const nav = perms.find((m) => m.module_name === 'navigator').permissions
  expect(nav).toMatchObject({ enable_navigator: true, view_navigator: true, manage_navigator: false })
  const other = perms.find((m) => m.module_name === 'application').permissions
  expect(other.enable_app_mgmt).toBe(false)
  // the user's grant history: those two, with the user's filter fixed
  await page.getByRole('tab', { name: '授权记录' }).click()
  const hist = page.getByTestId('audit-list').first()
  await expect(hist.locator('.el-table__body tr')).toHaveCount(2)
  await expect(hist).toContainText(`授予 用户 ${u.username} 模块「外部导航」的 view_navigator 权限`)
  await expect(hist).toContainText(`授予 用户 ${u.username} 模块「外部导航」的 enable_navigator 权限`)
  await expect(hist.getByLabel('用户或角色')).toHaveCount(0)
  // the user's own menu shows the module now, and only it
  await page.context().clearCookies()
  await signIn(page, u.username, u.password)
  await signedIn(page)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  await page.locator('aside nav').getByText('系统管理').click()
  await expect(page.locator('aside nav')).toContainText('外部导航')
  await expect(page.locator('aside nav')).not.toContainText('用户')
  await page.locator('aside nav').getByText('外部导航').click()
  await expect(page.getByRole('heading', { name: '外部导航' })).toBeVisible()
  // view only: no button to create, edit or delete
  await expect(page.getByTestId('navigators')).toBeVisible()
  await expect(page.getByTestId('nav-new')).toHaveCount(0)
  await expect(page.getByTestId('nav-edit')).toHaveCount(0)
})

test('a user without administration sees no users, roles, credentials or audit', async ({ page }) => {
  const u = await newUser()
  await signIn(page, u.username, u.password)
  await signedIn(page)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  const menu = page.locator('aside nav')
  for (const word of ['系统管理', '用户', '角色', '凭据', '云账号', '外部导航', '审计']) {
    await expect(menu).not.toContainText(word)
  }
  for (const path of ['/ui/users', '/ui/roles', '/ui/credentials', '/ui/cloud-accounts', '/ui/audit/applications']) {
    await page.goto(path)
    await expect(page.locator('#hg-main')).toContainText('没有权限')
  }
})

test('credentials and cloud accounts: the secret is stored but never shown again', async ({ page }) => {
  const a = await admin()
  const secret = 'S3cret-' + unique('pw')
  const name = unique('cred')
  await asAdmin(page, '/credentials')
  await expect(page.getByRole('heading', { name: '凭据' })).toBeVisible()
  await page.getByTestId('cred-new').click()
  await page.locator('#cred-name').fill(name)
  await page.locator('#cred-username').fill('deploy')
  await page.getByTestId('cred-save').click()
  await expect(page.getByTestId('cred-dialog').locator('.el-form-item__error')).toHaveText('必填')
  await page.locator('#cred-secret').fill(secret)
  await page.getByTestId('cred-save').click()
  await expect(page.getByTestId('cred-dialog')).toBeHidden()
  const row = page.getByTestId('credentials').locator('.el-table__body tr', { hasText: name })
  await expect(row).toContainText('deploy')
  await expect(row.getByTestId('secret-set')).toHaveText('已设置')
  await expect(page.locator('body')).not.toContainText(secret)
  // editing shows that one is set, not the secret; a save without a new
  // one keeps it
  await row.getByTestId('cred-edit').click()
  await expect(page.locator('#cred-secret')).toHaveValue('')
  await expect(page.getByTestId('secret-state')).toBeVisible()
  await page.locator('#cred-desc').fill('for the deploys')
  await page.getByTestId('cred-save').click()
  await expect(row).toContainText('for the deploys')
  await page.reload()
  await expect(page.getByTestId('credentials')).toContainText(name)
  expect(await page.content()).not.toContain(secret)
  const [c] = (await a.get(`/applications/repository-credentials/password/?name=${name}`)).results
  expect(c.password).toBe('******')
  expect(c.description).toBe('for the deploys')
  await shot(page, 'credentials')
  await axe(page, 'credentials')

  // a cloud account: the same
  const acc = unique('cloud')
  const key = 'AK-' + unique('k')
  await page.goto('/ui/cloud-accounts')
  await page.getByTestId('account-new').click()
  await page.locator('#acc-name').fill(acc)
  await page.getByTestId('acc-provider').click()
  await page.getByRole('option', { name: 'ALIYUN', exact: true }).click()
  await page.locator('#acc-endpoint').fill('ftp://nowhere')
  await page.locator('#acc-key').fill('AKID1')
  await page.locator('#acc-secret').fill(key)
  await page.getByTestId('account-save').click()
  // the server's refusal under its field
  await expect(page.getByTestId('account-dialog').locator('.el-form-item', { has: page.locator('#acc-endpoint') })
    .locator('.el-form-item__error')).toBeVisible()
  await page.locator('#acc-endpoint').fill('https://ecs.aliyuncs.com')
  await page.getByTestId('account-save').click()
  await expect(page.getByTestId('account-dialog')).toBeHidden()
  const arow = page.getByTestId('cloud-accounts').locator('.el-table__body tr', { hasText: acc })
  await expect(arow.getByTestId('secret-set')).toHaveText('已设置')
  await arow.getByTestId('account-edit').click()
  await expect(page.locator('#acc-secret')).toHaveValue('')
  await page.getByTestId('account-dialog').getByRole('button', { name: '取消' }).click()
  expect(await page.content()).not.toContain(key)
  const [ca] = (await a.get(`/cloud-accounts/?name=${acc}`)).results
  expect(ca.secret).toBe('******')
})

test('navigators: create, edit, delete', async ({ page }) => {
  const name = unique('nav')
  await asAdmin(page, '/navigators')
  await page.getByTestId('nav-new').click()
  await page.locator('#nav-name').fill(name)
  await page.locator('#nav-url').fill('javascript:alert(1)')
  await page.locator('#nav-img').fill('/logo.png')
  await page.getByTestId('nav-save').click()
  await expect(page.getByTestId('nav-dialog').locator('.el-form-item', { has: page.locator('#nav-url') })
    .locator('.el-form-item__error')).toBeVisible()
  await page.locator('#nav-url').fill('https://wiki.example.com/')
  await page.getByTestId('nav-save').click()
  const row = page.getByTestId('navigators').locator('.el-table__body tr', { hasText: name })
  await expect(row).toContainText('https://wiki.example.com/')
  await row.getByTestId('nav-edit').click()
  await page.locator('#nav-url').fill('https://docs.example.com/')
  await page.getByTestId('nav-save').click()
  await expect(row).toContainText('https://docs.example.com/')
  await row.getByTestId('nav-delete').click()
  await confirmBox(page, name, '删除')
  await expect(page.getByTestId('navigators')).not.toContainText(name)
})

test('the users page in both languages, accessible', async ({ page }) => {
  await asAdmin(page, '/users')
  await expect(page.getByRole('heading', { name: '用户' })).toBeVisible()
  await expect(page.getByTestId('users')).toContainText('用户名')
  // The whole run's tests share the stack: many users are newer than admin.
  await page.locator('#uf-username').fill(ADMIN.username)
  await page.getByTestId('users-search').click()
  await expect(page.getByTestId('users')).toContainText(ADMIN.username)
  await axe(page, 'users')
  await setLanguage(page, 'en')
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible()
  await expect(page.getByTestId('users')).toContainText('Username')
  await expect(page.getByTestId('users')).toContainText('Last sign-in')
  await expect(page.locator('aside nav')).toContainText('Administration')
  await expect(page.getByTestId('user-new')).toHaveText('New user')
  await shot(page, 'users-en')
  await setLanguage(page, 'zh-CN')
  await expect(page.getByRole('heading', { name: '用户' })).toBeVisible()
})

test('roles: create, rename, members, a module permission, delete', async ({ page }) => {
  const a = await admin()
  const u = await newUser()
  const name = unique('role')
  await asAdmin(page, '/roles')
  await page.getByTestId('role-new').click()
  await page.locator('#role-name').fill(name)
  await page.getByTestId('role-save').click()
  await page.locator('#rf-name').fill(name)
  await page.getByRole('button', { name: '搜索' }).click()
  const row = page.getByTestId('roles').locator('.el-table__body tr', { hasText: name })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText(ADMIN.username)	// its creator
  await row.getByRole('button', { name: '重命名' }).click()
  await page.locator('#role-name').fill(name + 'x')
  await page.getByTestId('role-save').click()
  await expect(row).toContainText(name + 'x')
  const [r] = (await a.get(`/roles/?name=${name}x`)).results
  expect(r.name).toBe(name + 'x')

  await row.getByRole('link', { name: name + 'x' }).click()
  await page.getByTestId('member-pick').click()
  await page.getByTestId('member-pick').locator('input').fill(u.username)
  await page.getByRole('option', { name: u.username }).click()
  await page.getByTestId('member-add').click()
  await expect(page.getByTestId('members')).toContainText(u.username)
  expect((await a.get(`/roles/${r.id}/users/`)).results.map((x) => x.id)).toEqual([u.id])
  await page.getByRole('tab', { name: '模块权限' }).click()
  const sw = page.getByTestId('perm-dns-enable_dns_mgmt')
  await sw.click()
  await expect(sw).toHaveClass(/is-checked/)
  const dns = (await a.get(`/roles/${r.id}/system/perms/`)).find((m) => m.module_name === 'dns')
  expect(dns.permissions.enable_dns_mgmt).toBe(true)

  await page.goto('/ui/roles')
  await page.locator('#rf-name').fill(name)
  await page.getByRole('button', { name: '搜索' }).click()
  await row.getByTestId('role-delete').click()
  await confirmBox(page, `删除角色「${name}x」`, '删除')
  await expect(page.getByTestId('roles').locator('.el-table__body')).not.toContainText(name)
  expect((await a.get(`/roles/?name=${name}`)).count).toBe(0)
})
