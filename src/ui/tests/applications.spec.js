// Applications and productions (CMDB): the tree, an application's page and
// its tabs, permission grants (ObjectPerms), what a user without rights
// sees, productions; both languages, axe, screenshots.
import { test, expect as baseExpect, signIn, shot, setLanguage, unique, newUser, ADMIN, axe } from './lib.js'
import { newApp, newHost, userWith, admin } from './applications.lib.js'

// Each test drives several pages on a machine shared with other runs (a
// page's first load can take well over the default 10 s there).
test.describe.configure({ timeout: 600_000 })
const expect = baseExpect.configure({ timeout: 45_000 })

async function asAdmin(page) {
  await signIn(page, ADMIN.username, ADMIN.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
}

// Pick `option` in an Element Plus select after typing `query` into it
// (the search goes to the server).
async function choose(page, select, query, option) {
  await select.click()
  await page.keyboard.type(query)
  await page.getByRole('option', { name: option, exact: true }).filter({ visible: true }).first().click()
  await page.keyboard.press('Escape')
}

async function confirmBox(page, button) {
  const box = page.locator('.el-message-box')
  await box.getByRole('button', { name: button, exact: true }).click()
  await expect(box).toHaveCount(0)
}

function treeItem(page, name) {
  return page.getByTestId('app-tree').getByRole('treeitem').filter({ has: page.getByTestId('app-node-' + name) }).first()
}

test('applications: a root and a child made in the tree, edited, found by name', async ({ page }) => {
  const root = unique('root'), child = unique('kid'), renamed = unique('ren')
  await asAdmin(page)
  await page.goto('/ui/applications')
  await expect(page.getByRole('heading', { name: '应用' })).toBeVisible()
  await page.getByTestId('app-new').click()
  await page.locator('#app-name').fill(root)
  await page.getByTestId('app-create').click()
  await expect(page.getByTestId('app-node-' + root)).toBeVisible()

  // a child, from the node's own button: the dialog names the parent
  await page.getByTestId('app-add-child-' + root).click()
  const dlg = page.getByRole('dialog', { name: '新建子应用' })
  await expect(dlg).toContainText(root)
  await dlg.locator('#app-name').fill(child)
  await dlg.getByTestId('app-create').click()
  await expect(page.getByTestId('app-node-' + child)).toBeVisible()
  const a = await admin()
  const found = (await a.get(`/applications/?full_name=${root}.${child}`)).results
  expect(found.map((x) => x.full_name)).toEqual([`${root}.${child}`])

  // its page, then an edit: a bad name refused under its field, a good one saved
  await page.getByTestId('app-node-' + child).getByRole('link', { name: child }).click()
  await expect(page.getByTestId('app-title')).toHaveText(`${root}.${child}`)
  await page.locator('#app-f-name').fill('bad.name')
  await page.getByTestId('app-save').click()
  const nameItem = page.getByTestId('app-details').locator('.el-form-item').filter({ has: page.locator('#app-f-name') })
  await expect(nameItem.locator('.el-form-item__error')).not.toBeEmpty()
  await expect(page.getByTestId('app-title')).toHaveText(`${root}.${child}`)
  await page.locator('#app-f-name').fill(renamed)
  await page.locator('#app-f-directory').fill('/srv/' + renamed)
  await page.getByTestId('app-save').click()
  await expect(page.getByTestId('app-title')).toHaveText(`${root}.${renamed}`)
  await expect(nameItem.locator('.el-form-item__error')).toHaveCount(0)
  const saved = await a.get(`/applications/${found[0].id}/`)
  expect(saved.full_name).toBe(`${root}.${renamed}`)
  expect(saved.directory).toBe('/srv/' + renamed)

  // the tree shows the new name under the root; the search its full name
  await page.goto('/ui/applications')
  await treeItem(page, root).locator('.el-tree-node__expand-icon').first().click()
  await expect(page.getByTestId('app-node-' + renamed)).toBeVisible()
  await expect(page.getByTestId('app-node-' + child)).toHaveCount(0)
  await page.getByTestId('app-search').fill(renamed)
  await expect(page.getByTestId('app-search-results')).toContainText(`${root}.${renamed}`)
  await expect(page.getByTestId('app-search-results').locator('tbody tr')).toHaveCount(1)
})

test('applications: instances added through the host search and removed', async ({ page }) => {
  const app = await newApp()
  const h1 = await newHost(unique('hosta')), h2 = await newHost(unique('hostb'))
  await asAdmin(page)
  await page.goto(`/ui/applications/${app.id}?tab=instances`)
  await expect(page.getByTestId('app-title')).toHaveText(app.full_name)
  const picker = page.getByTestId('instance-hosts')
  await choose(page, picker, h1.name, h1.name)
  await choose(page, picker, h2.name, h2.name)
  await page.getByTestId('instance-add').click()
  const table = page.getByTestId('instances')
  await expect(table.getByRole('row', { name: new RegExp(h1.name) })).toContainText('已停止')
  await expect(table.getByRole('row', { name: new RegExp(h2.name) })).toBeVisible()
  const a = await admin()
  expect((await a.get(`/applications/${app.id}/instances/`)).count).toBe(2)
  expect((await a.get(`/hosts/${h1.id}/`)).status).toBe('attached')

  await table.getByRole('row', { name: new RegExp(h1.name) }).getByRole('button', { name: '移除' }).click()
  await confirmBox(page, '移除')
  await expect(table.getByRole('row', { name: new RegExp(h1.name) })).toHaveCount(0)
  await expect(table.getByRole('row', { name: new RegExp(h2.name) })).toBeVisible()
  const left = (await a.get(`/applications/${app.id}/instances/`)).results
  expect(left.map((i) => i.hostname)).toEqual([h2.name])
  expect((await a.get(`/hosts/${h1.id}/`)).status).toBe('inited')
})

test('applications: dependencies added, a cycle refused under the picker, dependents listed', async ({ page }) => {
  const a = await admin()
  const top = await newApp(), mid = await newApp(), other = await newApp()
  await a.post(`/applications/${top.id}/required-apps/`, [{ id: mid.id }])	// top requires mid
  await asAdmin(page)
  await page.goto(`/ui/applications/${mid.id}?tab=required`)
  const pick = page.getByTestId('link-pick-required')
  // mid requiring top would close the circle
  await choose(page, pick, top.full_name, top.full_name)
  await page.getByTestId('link-add-required').click()
  await expect(page.getByTestId('app-links-required').locator('.el-form-item__error')).toContainText('cycle')
  expect((await a.get(`/applications/${mid.id}/`)).required_apps).toEqual([])
  await expect(page.getByTestId('links-required').locator('tbody tr')).toHaveCount(0)
  // a good one: the error goes, the table shows it
  await pick.locator('.el-select__tags .el-tag__close, .el-tag__close').first().click()
  await choose(page, pick, other.full_name, other.full_name)
  await page.getByTestId('link-add-required').click()
  await expect(page.getByTestId('links-required')).toContainText(other.full_name)
  await expect(page.getByTestId('app-links-required').locator('.el-form-item__error')).toHaveCount(0)
  expect((await a.get(`/applications/${mid.id}/`)).required_apps).toEqual([other.id])

  // dependents: top requires mid
  await page.getByRole('tab', { name: '被依赖' }).click()
  await expect(page.getByTestId('links-requiredBy')).toContainText(top.full_name)
  await page.getByTestId('links-requiredBy').getByRole('row', { name: new RegExp(top.full_name) })
    .getByRole('button', { name: '移除' }).click()
  await confirmBox(page, '移除')
  await expect(page.getByTestId('links-requiredBy').locator('tbody tr')).toHaveCount(0)
  expect((await a.get(`/applications/${top.id}/`)).required_apps).toEqual([])
})

test('applications: the permissions tab grants a user, who then sees the application', async ({ page, browser }) => {
  const app = await newApp()
  const u = await userWith({ application: { enable_app_mgmt: true } })
  // before: the user sees no such application
  const before = await browser.newPage()
  await signIn(before, u.username, u.password, `/applications/${app.id}`)
  await expect(before.getByTestId('app-error')).toContainText('应用不存在')
  await before.close()

  await asAdmin(page)
  await page.goto(`/ui/applications/${app.id}?tab=perms`)
  const users = page.getByTestId('objperms-users')
  await choose(page, users.getByTestId('objperms-pick-user'), u.username, u.username)
  await choose(page, users.getByTestId('objperms-grant-user'), '', '查看')
  await users.getByTestId('objperms-add-user').click()
  const row = page.getByTestId('objperms-table-users').getByRole('row', { name: new RegExp(u.username) })
  await expect(row.getByRole('checkbox', { name: '查看 ' + u.username, exact: true })).toBeChecked()
  await expect(row.getByRole('checkbox', { name: '编辑 ' + u.username, exact: true })).not.toBeChecked()
  const a = await admin()
  let grants = (await a.get(`/applications/${app.id}/authorization/users/`)).results
  expect(grants.map((g) => [g.user.username, g.permission.view_app, g.permission.edit_app]))
    .toEqual([[u.username, true, false]])
  // a tick grants at once
  // (Element Plus hides the native box: its label is what a user clicks)
  await row.locator('label.el-checkbox')
    .filter({ has: page.getByRole('checkbox', { name: '查看日志 ' + u.username, exact: true }) }).click()
  await expect.poll(async () => (await a.get(`/applications/${app.id}/authorization/users/`))
    .results[0].permission.view_app_log).toBe(true)
  await shot(page, 'application-permissions')

  // the user now sees it, in the tree and on its page, read only
  const p2 = await browser.newPage()
  await signIn(p2, u.username, u.password, '/applications')
  await expect(p2.getByTestId('app-node-' + app.name)).toBeVisible()
  await p2.getByTestId('app-node-' + app.name).getByRole('link').click()
  await expect(p2.getByTestId('app-title')).toHaveText(app.full_name)
  await expect(p2.getByTestId('app-save')).toHaveCount(0)
  await p2.close()

  // revoking everything: the row goes, and so does the user's view
  await row.getByRole('button', { name: /全部撤销/ }).click()
  await confirmBox(page, '全部撤销')
  await expect(page.getByTestId('objperms-table-users').getByRole('row', { name: new RegExp(u.username) })).toHaveCount(0)
  grants = (await a.get(`/applications/${app.id}/authorization/users/`)).results
  expect(grants).toEqual([])
})

test('applications: a role granted on the permissions tab', async ({ page }) => {
  const a = await admin()
  const app = await newApp()
  const role = await a.post('/roles/', { name: unique('role') })
  await asAdmin(page)
  await page.goto(`/ui/applications/${app.id}?tab=perms`)
  const roles = page.getByTestId('objperms-roles')
  await choose(page, roles.getByTestId('objperms-pick-role'), role.name, role.name)
  await choose(page, roles.getByTestId('objperms-grant-role'), '', '部署')
  await roles.getByTestId('objperms-add-role').click()
  const row = page.getByTestId('objperms-table-roles').getByRole('row', { name: new RegExp(role.name) })
  await expect(row.getByRole('checkbox', { name: '部署 ' + role.name, exact: true })).toBeChecked()
  const grants = (await a.get(`/applications/${app.id}/authorization/roles/`)).results
  expect(grants.map((g) => [g.role.name, g.permission.deploy_app, g.permission.view_app]))
    .toEqual([[role.name, true, false]])
})

test('applications: a user with only view permission sees the application and no buttons that change it', async ({ page }) => {
  const parent = await newApp()
  const app = await newApp({ parent_app: null })
  const u = await userWith({ application: { enable_app_mgmt: true } },
    [{ id: app.id, permission: { view_app: true } }])
  await signIn(page, u.username, u.password, '/applications')
  await expect(page.getByTestId('menu')).toContainText('应用')
  await expect(page.getByTestId('app-node-' + app.name)).toBeVisible()
  await expect(page.getByTestId('app-node-' + parent.name)).toHaveCount(0)	// not granted
  await expect(page.getByTestId('app-new')).toHaveCount(0)
  await expect(page.getByTestId('app-add-child-' + app.name)).toHaveCount(0)

  await page.goto(`/ui/applications/${app.id}`)
  await expect(page.getByTestId('app-title')).toHaveText(app.full_name)
  await expect(page.locator('#app-f-name')).toHaveValue(app.name)
  await expect(page.locator('#app-f-name')).toBeDisabled()
  await expect(page.getByTestId('app-save')).toHaveCount(0)
  await expect(page.getByTestId('app-delete')).toHaveCount(0)
  await expect(page.getByRole('tab', { name: '权限' })).toHaveCount(0)
  await expect(page.getByRole('tab', { name: '审计' })).toHaveCount(0)
  await page.getByRole('tab', { name: '实例' }).click()
  await expect(page.getByTestId('instances')).toBeVisible()
  await expect(page.getByTestId('instance-add')).toHaveCount(0)
  await expect(page.getByTestId('instance-remove-selected')).toHaveCount(0)
  await page.getByRole('tab', { name: '子应用' }).click()
  await expect(page.getByTestId('links-children')).toBeVisible()
  await expect(page.getByTestId('link-add-children')).toHaveCount(0)
  await page.getByRole('tab', { name: '依赖', exact: true }).click()
  await expect(page.getByTestId('link-add-required')).toHaveCount(0)
  await page.getByRole('tab', { name: '负责人' }).click()
  await expect(page.getByTestId('people')).toBeVisible()
  await expect(page.getByTestId('person-add')).toHaveCount(0)
  // another application is not found for this user
  await page.goto(`/ui/applications/${parent.id}`)
  await expect(page.getByTestId('app-error')).toContainText('应用不存在')
})

test('applications: a user without the module has no menu entry and may not open the pages', async ({ page }) => {
  const u = await newUser()
  await signIn(page, u.username, u.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  await expect(page.getByTestId('menu')).toContainText('首页')
  await expect(page.getByTestId('menu')).not.toContainText('应用')
  await expect(page.getByTestId('menu')).not.toContainText('产品线')
  await page.goto('/ui/applications')
  await expect(page.locator('#hg-main')).toContainText('没有权限')
  await page.goto('/ui/productions')
  await expect(page.locator('#hg-main')).toContainText('没有权限')
})

test('applications: response persons added and removed', async ({ page }) => {
  const app = await newApp()
  const person = await newUser({ name: unique('人') })
  await asAdmin(page)
  await page.goto(`/ui/applications/${app.id}?tab=people`)
  await choose(page, page.getByTestId('person-user'), person.username, `${person.name} (${person.username})`)
  await page.getByTestId('person-type').click()
  await page.getByRole('option', { name: '开发', exact: true }).filter({ visible: true }).click()
  await page.getByTestId('person-add').click()
  const row = page.getByTestId('people').getByRole('row', { name: new RegExp(person.name) })
  await expect(row).toContainText('开发')
  const a = await admin()
  expect((await a.get(`/applications/${app.id}/`)).response_persons).toEqual([person.id])
  await row.getByRole('button', { name: '移除' }).click()
  await confirmBox(page, '移除')
  await expect(page.getByTestId('people').getByRole('row', { name: new RegExp(person.name) })).toHaveCount(0)
  expect((await a.get(`/applications/${app.id}/`)).response_persons).toEqual([])
})

test('productions: create, edit, applications in and out, delete', async ({ page }) => {
  const name = unique('prod'), renamed = unique('prodr')
  const app = await newApp()
  const a = await admin()
  await asAdmin(page)
  await page.goto('/ui/productions')
  await expect(page.getByRole('heading', { name: '产品线' })).toBeVisible()
  await page.getByTestId('prod-new').click()
  await page.locator('#prod-name').fill(name)
  await page.locator('#prod-desc').fill('网站')
  await page.getByTestId('prod-save').click()
  const row = page.getByTestId('productions').getByRole('row', { name: new RegExp(name) })
  await expect(row).toContainText('网站')
  // the same name again: refused, nothing made
  await page.getByTestId('prod-new').click()
  await page.locator('#prod-name').fill(name)
  await page.getByTestId('prod-save').click()
  await expect(page.getByRole('dialog')).toBeVisible()
  expect((await a.get(`/productions/?name=${name}`)).count).toBe(1)
  await page.getByRole('dialog').getByRole('button', { name: '取消' }).click()

  await row.getByRole('link', { name }).click()
  await expect(page.getByTestId('prod-title')).toHaveText(name)
  await page.getByTestId('prod-edit').click()
  await page.locator('#prod-name').fill(renamed)
  await page.getByTestId('prod-save').click()
  await expect(page.getByTestId('prod-title')).toHaveText(renamed)
  const prod = (await a.get(`/productions/?name=${renamed}`)).results[0]
  expect(prod.name).toBe(renamed)

  await choose(page, page.getByTestId('prod-app-pick'), app.full_name, app.full_name)
  await page.getByTestId('prod-app-add').click()
  await expect(page.getByTestId('prod-apps')).toContainText(app.full_name)
  expect((await a.get(`/applications/${app.id}/`)).production).toBe(prod.id)
  await page.getByTestId('prod-apps').getByRole('row', { name: new RegExp(app.full_name) })
    .getByRole('button', { name: '移出' }).click()
  await confirmBox(page, '移出')
  await expect(page.getByTestId('prod-apps').locator('tbody tr')).toHaveCount(0)
  expect((await a.get(`/applications/${app.id}/`)).production).toBe(null)

  await page.getByTestId('prod-delete').click()
  await expect(page.locator('.el-message-box')).toContainText(renamed)
  await confirmBox(page, '删除')
  await expect(page.getByRole('heading', { name: '产品线' })).toBeVisible()
  await expect(page.getByTestId('productions')).not.toContainText(renamed)
  expect((await a.get(`/productions/?name=${renamed}`)).count).toBe(0)
})

test('applications: the tree and a page in English and Chinese, accessible, screenshots', async ({ page }) => {
  const root = await newApp({ description: '订单服务' })
  const kid = await newApp({ parent_app: root.id })
  await asAdmin(page)
  await page.goto('/ui/applications')
  await expect(page.getByRole('heading', { name: '应用' })).toBeVisible()
  await expect(page.getByTestId('app-new')).toHaveText('新建应用')
  await treeItem(page, root.name).locator('.el-tree-node__expand-icon').first().click()
  await expect(page.getByTestId('app-node-' + kid.name)).toBeVisible()
  await axe(page, 'applications tree')
  await shot(page, 'applications-tree')
  await setLanguage(page, 'en')
  await expect(page.getByRole('heading', { name: 'Applications' })).toBeVisible()
  await expect(page.getByTestId('app-new')).toHaveText('New application')
  await expect(page.getByTestId('app-search')).toHaveAttribute('placeholder', 'Search applications by name')
  await expect(page.getByTestId('menu')).toContainText('Productions')
  await shot(page, 'applications-tree-en')
  await setLanguage(page, 'zh-CN')
  await expect(page.getByRole('heading', { name: '应用' })).toBeVisible()

  await page.goto(`/ui/applications/${kid.id}`)
  await expect(page.getByTestId('app-title')).toHaveText(`${root.name}.${kid.name}`)
  await expect(page.getByRole('tab', { name: '权限' })).toBeVisible()
  await axe(page, 'application page')
  await shot(page, 'application-page')
  await page.getByRole('tab', { name: '审计' }).click()
  await expect(page.getByTestId('audit-rows')).toContainText(kid.full_name)
  await axe(page, 'application audit')
  await page.goto('/ui/productions')
  await axe(page, 'productions')
})
