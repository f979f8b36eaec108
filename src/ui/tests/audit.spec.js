// The audit pages (components/AuditList.vue): filtered by operator and by
// operation they show exactly the expected rows, each change's before and
// after set apart; grants in words; axe; a screenshot.
import { test, expect as baseExpect, admin, newUser, unique, signIn, shot, apiAs, ADMIN, axe } from './lib.js'

// The machine is shared and slow at times: pages get 30 s, tests 10 min (a cold browser
// and sign-in alone took 4 min at a load average of 70).
const expect = baseExpect.configure({ timeout: 30_000 })
test.describe.configure({ timeout: 600_000 })

test('audit: filtered by user, the page shows exactly that user\'s rows, before and after', async ({ page }) => {
  // a superuser of its own creates and changes a cloud account; the
  // admin makes one too (a row the filter must leave out)
  const op = await newUser({ is_superuser: true })
  const as = await apiAs(op.username, op.password)
  const name = unique('audacc')
  const acc = await as.post('/cloud-accounts/', { name, provider: 'ALIYUN',
    endpoint: 'https://ecs.aliyuncs.com', access_key: 'AK1', secret: 'never-shown-1', description: 'old words' })
  await as.patch(`/cloud-accounts/${acc.id}/`, { description: 'new words' })
  const a = await admin()
  const other = unique('audother')
  await a.post('/cloud-accounts/', { name: other, provider: 'ALIYUN',
    endpoint: 'https://ecs.aliyuncs.com', access_key: 'AK2', secret: 'never-shown-2' })

  await signIn(page, ADMIN.username, ADMIN.password, '/audit/cloud-accounts')
  await expect(page.locator('aside nav')).toBeVisible({ timeout: 90_000 })	// argon2 under ASan
  await expect(page.getByRole('heading', { name: '云账号操作审计' })).toBeVisible()
  const rows = page.getByTestId('audit-rows').locator('.el-table__body tr')
  await expect(rows.first()).toBeVisible()
  await page.getByLabel('操作人', { exact: true }).fill(op.username)
  await page.getByTestId('audit-search').click()
  await expect(rows).toHaveCount(2)
  await expect(page.getByTestId('audit-rows')).not.toContainText(other)
  await expect(page.getByTestId('audit-pager')).toContainText('2')
  // newest first: the change, then the creation
  await expect(rows.nth(0)).toContainText('修改')
  await expect(rows.nth(0)).toContainText(name)
  await expect(rows.nth(0).locator('del')).toHaveText('"old words"')
  await expect(rows.nth(0).locator('ins')).toHaveText('"new words"')
  await expect(rows.nth(1)).toContainText('创建')
  await expect(page.locator('body')).not.toContainText('never-shown')
  // and by operation as well
  await page.getByTestId('audit-filter-op_type').click()
  await page.getByRole('option', { name: '创建', exact: true }).click()
  await page.getByTestId('audit-search').click()
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('创建')
  await shot(page, 'audit-cloud-accounts')
  await axe(page, 'audit')
  // reset: every row again
  await page.getByTestId('audit-reset').click()
  await expect(page.getByTestId('audit-rows')).toContainText(other)
})

test('audit: module grants in words, filtered by who got them', async ({ page }) => {
  const a = await admin()
  const u = await newUser()
  await a.post(`/users/${u.id}/system/perms/`, { module_name: 'navigator', permissions: { enable_navigator: true } })
  await a.post(`/users/${u.id}/system/perms/`, { module_name: 'navigator', permissions: { enable_navigator: false } })
  await signIn(page, ADMIN.username, ADMIN.password, '/audit/module-grants')
  await expect(page.locator('aside nav')).toBeVisible({ timeout: 90_000 })
  await page.getByLabel('用户或角色', { exact: true }).fill(u.username)
  await page.getByTestId('audit-search').click()
  const rows = page.getByTestId('audit-rows').locator('.el-table__body tr')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText(`收回 用户 ${u.username} 模块「外部导航」的 enable_navigator 权限`)
  await expect(rows.nth(1)).toContainText(`授予 用户 ${u.username} 模块「外部导航」的 enable_navigator 权限`)
})
