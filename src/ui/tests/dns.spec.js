// DNS: a record created, changed, disabled and enabled on the test stack's
// PowerDNS through the pages (checked in PowerDNS's own API); a zone file
// import refused at its bad line, then taken; a BIND server added with its
// key kept write-only; drift, export, the audit; a reader without the
// manage permission; English; axe; screenshots.
import { test, expect as baseExpect, signIn, shot, setLanguage, ADMIN, unique, axe } from './lib.js'
import { userWith, pdnsZone, pdnsRecords } from './dns.lib.js'

// Each test drives several pages, servers and the agent: on a busy
// machine (two cores shared by several test runs) that takes minutes, and
// a page's first paint (or a list under load) more than the default 10 s.
test.describe.configure({ timeout: 600_000 })
const expect = baseExpect.configure({ timeout: 60_000 })

const recordRow = (page, text) => page.getByTestId('record-list').locator('tbody tr', { hasText: text })

test('a PowerDNS record created, changed, disabled and enabled through the page', async ({ page }) => {
  const { server, domain, zone } = await pdnsZone()
  const manager = await userWith({ dns: ['enable_dns_mgmt', 'manage_dns_server'] })
  const name = `web.${zone}`

  await signIn(page, manager.username, manager.password, `/dns/servers/${server.id}/domains/${domain.id}`)
  await expect(page.getByRole('heading', { name: zone })).toBeVisible()
  await page.getByTestId('record-new').click()
  await page.locator('#rec-name').fill('web')
  await expect(page.getByTestId('value-hint')).toContainText('IPv4')
  await page.locator('#rec-value').fill('not-an-address')
  await page.getByTestId('record-submit').click()
  // the API's refusal under the value, nothing on the server
  await expect(page.getByTestId('record-form').locator('.el-form-item__error')).not.toBeEmpty()
  expect(await pdnsRecords(zone, name, 'A')).toEqual([])
  await page.locator('#rec-value').fill('192.0.2.21')
  await page.locator('#rec-ttl').fill('600')
  await page.getByTestId('record-submit').click()
  await expect(recordRow(page, name)).toContainText('192.0.2.21')
  expect(await pdnsRecords(zone, name, 'A')).toEqual([{ content: '192.0.2.21', disabled: false, ttl: 600 }])

  // change it
  await recordRow(page, name).getByTestId('rec-edit').click()
  await expect(page.locator('#rec-name')).toHaveValue('web')
  await page.locator('#rec-value').fill('192.0.2.22')
  await page.getByTestId('record-submit').click()
  await expect(recordRow(page, name)).toContainText('192.0.2.22')
  expect(await pdnsRecords(zone, name, 'A')).toEqual([{ content: '192.0.2.22', disabled: false, ttl: 600 }])

  // disable, enable
  await recordRow(page, name).getByTestId('rec-disable').click()
  await expect(recordRow(page, name)).toContainText('已停用')
  expect(await pdnsRecords(zone, name, 'A')).toEqual([{ content: '192.0.2.22', disabled: true, ttl: 600 }])
  await page.getByTestId('rf-name').fill('web')
  await page.getByTestId('rf-search').click()
  await expect(recordRow(page, name)).toHaveCount(1)
  await shot(page, 'dns-records')
  await recordRow(page, name).getByTestId('rec-enable').click()
  await expect(recordRow(page, name)).toContainText('启用')
  expect(await pdnsRecords(zone, name, 'A')).toEqual([{ content: '192.0.2.22', disabled: false, ttl: 600 }])
  await page.getByTestId('rf-name').fill('')
  await page.getByTestId('rf-search').click()

  // an MX: its own hint, and the value checked by type
  await page.getByTestId('record-new').click()
  await page.getByTestId('rec-type').click()
  await page.getByRole('option', { name: 'MX' }).click()
  await expect(page.getByTestId('value-hint')).toContainText('mx.example.com')
  await page.locator('#rec-name').fill('@')
  await page.locator('#rec-value').fill(`10 mail.${zone}`)
  await page.getByTestId('record-submit').click()
  await expect(recordRow(page, `10 mail.${zone}`)).toHaveCount(1)
  expect((await pdnsRecords(zone, zone, 'MX')).map((r) => r.content)).toEqual([`10 mail.${zone}.`])

  // drift: in sync; export: the zone file
  await page.getByRole('tab', { name: '差异' }).click()
  await expect(page.getByTestId('drift-state')).toHaveText('与服务器一致')
  await page.getByRole('tab', { name: '记录' }).click()
  const download = page.waitForEvent('download')
  await page.getByTestId('zone-export').click()
  const file = await download
  expect(file.suggestedFilename()).toBe(`${zone}.zone`)
  const text = await new Response(await file.createReadStream()).text()
  expect(text).toMatch(/web\S*\s+600\s+IN\s+A\s+192\.0\.2\.22/)
  await axe(page, 'dns-domain')

  // the record on the DNS page, deleted
  await recordRow(page, name).getByTestId('rec-delete').click()
  await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
  await expect(recordRow(page, name)).toHaveCount(0)
  expect(await pdnsRecords(zone, name, 'A')).toEqual([])
})

test('a zone file import: a bad line refused with its number, then the records taken', async ({ page }) => {
  const { server, domain, zone } = await pdnsZone()
  await signIn(page, ADMIN.username, ADMIN.password, `/dns/servers/${server.id}/domains/${domain.id}`)
  await page.getByRole('tab', { name: '导入' }).click()
  const good = ['$TTL 300', 'app   IN A     192.0.2.31', 'app   IN A     192.0.2.32',
    'alias IN CNAME app']
  await page.locator('#imp-zone').fill([...good, 'bad   IN A     300.1.2.3'].join('\n'))
  await page.getByTestId('import-run').click()
  await expect(page.locator('.el-form-item__error')).toContainText('line 5')
  await shot(page, 'dns-import-refused')
  expect(await pdnsRecords(zone, `app.${zone}`, 'A')).toEqual([])
  await page.locator('#imp-zone').fill(good.join('\n'))
  await page.getByTestId('import-run').click()
  await expect(page.getByTestId('import-result')).toContainText('3')
  expect((await pdnsRecords(zone, `app.${zone}`, 'A')).map((r) => r.content).sort())
    .toEqual(['192.0.2.31', '192.0.2.32'])
  await page.getByRole('tab', { name: '记录' }).click()
  await expect(recordRow(page, `alias.${zone}`)).toContainText(`app.${zone}`)

  // the audit has it (superusers), filtered by the API
  await page.goto('/ui/dns/audit')
  await page.getByTestId('audit-detail').fill(`alias.${zone}`)
  await page.getByTestId('audit-search').click()
  await expect(page.getByTestId('audit-list').locator('tbody tr')).toHaveCount(1)
  await expect(page.getByTestId('audit-list')).toContainText('导入')
  await axe(page, 'dns-audit')
  await shot(page, 'dns-audit')
})

test('servers: a BIND server added with its key write-only; a reader sees no buttons; English', async ({ page }) => {
  const name = unique('bind-')
  await signIn(page, ADMIN.username, ADMIN.password, '/dns')
  await page.getByTestId('server-new').click()
  await page.locator('#sv-name').fill(name)
  await page.getByTestId('server-form').getByText('BIND').click()
  await page.locator('#sv-addr').fill(process.env.HANGAR_BIND_ADDR || '127.0.0.1:53')
  await page.locator('#sv-tsigname').fill(process.env.HANGAR_BIND_KEY_NAME || 'hangar-key')
  // a secret that is not base64: refused under its field
  await page.locator('#sv-tsigsecret').fill('not base64 !')
  await page.getByTestId('server-submit').click()
  await expect(page.getByTestId('server-form').locator('.el-form-item__error')).not.toBeEmpty()
  await page.locator('#sv-tsigsecret').fill(process.env.HANGAR_BIND_SECRET || '')
  await page.getByTestId('server-submit').click()
  const row = page.getByTestId('server-list').locator('tbody tr', { hasText: name })
  await expect(row).toContainText('BIND')
  await expect(page.locator('body')).not.toContainText(process.env.HANGAR_BIND_SECRET || 'never')
  await row.getByRole('link', { name }).click()
  await expect(page.getByTestId('server-facts')).toContainText('已设置（不显示）')
  // example.test is a zone the test BIND serves and lets the key update
  await page.getByTestId('domain-new').click()
  await page.locator('#dm-name').fill('second.test')
  await page.getByTestId('domain-submit').click()
  await expect(page.getByTestId('domain-list')).toContainText('second.test')
  await axe(page, 'dns-server')
  await shot(page, 'dns-server-bind')
  await page.goto('/ui/dns')
  await axe(page, 'dns-servers')
  await shot(page, 'dns-servers')

  const reader = await userWith({ dns: ['enable_dns_mgmt'] })
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await signIn(page, reader.username, reader.password, '/dns')
  await expect(page.getByTestId('server-list')).toContainText(name)
  await expect(page.getByTestId('server-new')).toHaveCount(0)
  await expect(page.getByTestId('server-list')).not.toContainText('编辑')
  await expect(page.getByTestId('menu')).not.toContainText('DNS 操作记录')
  await page.getByTestId('server-list').getByRole('link', { name }).click()
  await expect(page.getByTestId('domain-list')).toContainText('second.test')
  await expect(page.getByTestId('domain-new')).toHaveCount(0)
  await expect(page.getByTestId('domain-list')).not.toContainText('删除')
  await setLanguage(page, 'en')
  await expect(page.getByRole('heading', { name: 'Domains' })).toBeVisible()
  await expect(page.getByTestId('server-facts')).toContainText('Set (never shown)')
  await page.goto('/ui/dns/audit')
  await expect(page.locator('#hg-main').getByText('Not allowed', { exact: true })).toBeVisible()
  await setLanguage(page, 'zh-CN')
})
