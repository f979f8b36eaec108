// Resource requests: a domain request from a requester approved by an
// approver and landing on the PowerDNS server (seen on the DNS pages); an
// SSL request finished with a certificate whose names are shown; a
// requester who sees only its own requests and no approver's buttons;
// English; axe; screenshots.
import { test, expect as baseExpect, signIn, shot, setLanguage, apiAs, unique, axe } from './lib.js'
import { userWith, pdnsZone, pdnsRecords, makeCert } from './dns.lib.js'

// Each test drives several pages, servers and the agent: on a busy
// machine (two cores shared by several test runs) that takes minutes, and
// a page's first paint (or a list under load) more than the default 10 s.
test.describe.configure({ timeout: 600_000 })
const expect = baseExpect.configure({ timeout: 60_000 })

const REQUESTER = { resource_request: ['enable_resource_req', 'create_resource_req'] }

async function signOut(page) {
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await expect(page.locator('#login-username')).toBeVisible()
}

// Confirm an ElMessageBox by its button's name.
async function confirmBox(page, name) {
  await page.locator('.el-message-box').getByRole('button', { name }).click()
}

test('a domain request: created by a requester, approved, applied to PowerDNS and listed on the DNS page', async ({ page }) => {
  const { server, zone } = await pdnsZone()
  const requester = await userWith(REQUESTER)
  const approver = await userWith({ resource_request: ['enable_resource_req', 'approve_domain_req'],
    dns: ['enable_dns_mgmt'] })
  const name = `www.${zone}`

  await signIn(page, requester.username, requester.password, '/requests/domains')
  await expect(page.getByRole('heading', { name: '域名申请' })).toBeVisible()
  await page.getByTestId('req-new').click()
  await page.locator('#rq-purpose').fill('网站入口')
  await page.locator('#rq-r-name-0').fill(name)
  // the hint follows the type
  await expect(page.locator('#rq-r-value-0')).toHaveAttribute('placeholder', /IPv4/)
  await page.locator('#rq-r-value-0').fill('999.1.1.1')
  await page.getByTestId('req-submit').click()
  // the API's refusal under the value's field, nothing created
  await expect(page.getByTestId('record-row-0').locator('.el-form-item__error')).not.toBeEmpty()
  await page.locator('#rq-r-value-0').fill('192.0.2.7')
  await page.getByTestId('req-submit').click()
  await expect(page.getByTestId('req-status')).toHaveText('待审核')
  const id = Number(page.url().match(/requests\/domains\/(\d+)/)[1])
  await expect(page.getByTestId('req-records')).toContainText(name)
  await expect(page.getByTestId('apply-status')).toHaveText('尚未生效（需先批准）')
  // the requester's buttons: edit and close, never approve
  await expect(page.getByTestId('act-edit')).toBeVisible()
  await expect(page.getByTestId('act-close')).toBeVisible()
  await expect(page.getByTestId('act-approve')).toHaveCount(0)
  await shot(page, 'request-domain-waiting')
  await signOut(page)

  await signIn(page, approver.username, approver.password, `/requests/domains/${id}`)
  await expect(page.getByTestId('req-status')).toHaveText('待审核')
  await page.getByTestId('act-approve').click()
  await confirmBox(page, '批准')
  await expect(page.getByTestId('req-status')).not.toHaveText('待审核')
  // hangar-agent applies it and finishes the request
  const ap = await apiAs(approver.username, approver.password)
  await expect.poll(async () => (await ap.get(`/resource-request/domains/${id}/`)).status,
    { timeout: 90_000 }).toBe('finished')
  await page.reload()
  await expect(page.getByTestId('req-status')).toHaveText('已完成')
  await expect(page.getByTestId('apply-status')).toHaveText('已生效')
  await expect(page.getByTestId('act-approve')).toHaveCount(0)
  await shot(page, 'request-domain-finished')
  expect(await pdnsRecords(zone, name, 'A')).toEqual([{ content: '192.0.2.7', disabled: false, ttl: expect.any(Number) }])

  // the record on the DNS pages: servers, the server's domains, the records
  await page.goto('/ui/dns')
  await page.getByTestId('server-list').getByRole('link', { name: server.name }).click()
  await page.getByTestId('domain-list').getByRole('link', { name: zone }).click()
  const row = page.getByTestId('record-list').getByRole('row', { name: new RegExp(name.replace(/\./g, '\\.')) })
  await expect(row).toContainText('192.0.2.7')
  // the approver may read DNS but not change it: no record buttons
  await expect(page.getByTestId('record-new')).toHaveCount(0)
})

test('a domain request whose apply fails shows the error, and the approver applies it again', async ({ page }) => {
  const { server, domain, zone, a } = await pdnsZone()
  const requester = await userWith(REQUESTER)
  const approver = await userWith({ resource_request: ['enable_resource_req', 'approve_domain_req'] })
  const name = `www.${zone}`
  // an A record of that name already: a CNAME beside it is refused
  const rec = await a.post(`/dns-services/${server.id}/domains/${domain.id}/records/`,
    { name: 'www', type: 'A', value: '192.0.2.8' })
  const q = await (await apiAs(requester.username, requester.password)).post('/resource-request/domains/',
    { purpose: 'alias', records: [{ name, type: 'CNAME', value: 'web.example.com' }] })
  const ap = await apiAs(approver.username, approver.password)
  await ap.post(`/resource-request/domains/${q.id}/actions/approve/`)
  await expect.poll(async () => (await ap.get(`/resource-request/domains/${q.id}/`)).apply_status,
    { timeout: 90_000 }).toBe('failed')

  await signIn(page, approver.username, approver.password, `/requests/domains/${q.id}`)
  await expect(page.getByTestId('req-status')).toHaveText('已批准')
  await expect(page.getByTestId('apply-status')).toHaveText('失败')
  await expect(page.getByTestId('apply-error')).toContainText('CNAME')
  await shot(page, 'request-domain-apply-failed')
  await a.del(`/dns-services/${server.id}/domains/${domain.id}/records/${rec.id}/`)
  await page.getByTestId('act-apply').click()
  await expect.poll(async () => (await ap.get(`/resource-request/domains/${q.id}/`)).status,
    { timeout: 90_000 }).toBe('finished')
  await page.reload()
  await expect(page.getByTestId('req-status')).toHaveText('已完成')
  await expect(page.getByTestId('apply-error')).toHaveCount(0)
  await expect(page.getByTestId('act-apply')).toHaveCount(0)
  expect((await pdnsRecords(zone, name, 'CNAME')).map((r) => r.content)).toEqual(['web.example.com.'])
})

test('an SSL request finished with a certificate shows its names; a private key is refused under the field', async ({ page }) => {
  const requester = await userWith(REQUESTER)
  const approver = await userWith({ resource_request: ['enable_resource_req', 'approve_ssl_cert_req'] })
  const domain = `${unique('site')}.example.com`
  const { cert, key } = makeCert([domain, `www.${domain}`])

  await signIn(page, requester.username, requester.password, '/requests/ssl')
  await page.getByTestId('req-new').click()
  await page.locator('#rq-domain').fill(domain.toUpperCase())
  await page.getByTestId('req-submit').click()
  await expect(page.getByTestId('req-status')).toHaveText('待审核')
  const id = Number(page.url().match(/requests\/ssl\/(\d+)/)[1])
  await expect(page.getByTestId('req-facts')).toContainText(domain)
  await expect(page.getByText('尚无证书：完成申请时添加。')).toBeVisible()
  await signOut(page)

  const ap = await apiAs(approver.username, approver.password)
  await ap.post(`/resource-request/ssl-certificates/${id}/actions/approve/`)
  await signIn(page, approver.username, approver.password, `/requests/ssl/${id}`)
  await expect(page.getByTestId('req-status')).toHaveText('已批准')
  await page.getByTestId('act-finish').click()
  await page.locator('#rq-pem').fill(key + cert)
  await page.getByTestId('finish-submit').click()
  await expect(page.getByTestId('finish-dialog').locator('.el-form-item__error')).not.toBeEmpty()
  expect((await ap.get(`/resource-request/ssl-certificates/${id}/`)).status).toBe('approved')
  await page.locator('#rq-pem').fill(cert)
  await page.getByTestId('finish-submit').click()
  await expect(page.getByTestId('req-status')).toHaveText('已完成')
  await expect(page.getByTestId('cert-sans')).toHaveText(`${domain}, www.${domain}`)
  await expect(page.getByTestId('req-cert')).toContainText(`CN=${domain}`)
  await expect(page.getByTestId('req-cert')).toContainText('Hangar UI tests')
  await axe(page, 'request-ssl-finished')
  await shot(page, 'request-ssl-finished')
})

test('a requester sees only its own requests, edits its own, and has no approver buttons; English', async ({ page }) => {
  const me = await userWith(REQUESTER)
  const other = await userWith(REQUESTER)
  const mine = await (await apiAs(me.username, me.password)).post('/resource-request/hosts/',
    { purpose: 'build server', requested_hosts: [{ name: unique('h'), cpu_cores: 4, mem: 8192, storage: 102400 }] })
  const theirs = await (await apiAs(other.username, other.password)).post('/resource-request/hosts/',
    { purpose: 'not yours', requested_hosts: [{ name: unique('h'), cpu_cores: 2, mem: 4096, storage: 51200 }] })

  await signIn(page, me.username, me.password, '/requests/hosts')
  const list = page.getByTestId('req-list')
  await expect(list.getByTestId(`req-link-${mine.id}`)).toBeVisible()
  await expect(list.getByTestId(`req-link-${theirs.id}`)).toHaveCount(0)
  await expect(list).not.toContainText('not yours')
  // the filters go to the API: another state hides it
  await page.getByTestId('filter-status').click()
  await page.getByRole('option', { name: '已批准' }).click()
  await page.getByTestId('req-search').click()
  await expect(list.getByTestId(`req-link-${mine.id}`)).toHaveCount(0)
  await axe(page, 'requests-list')
  await shot(page, 'requests-hosts-list')

  await page.goto(`/ui/requests/hosts/${mine.id}`)
  await expect(page.getByTestId('req-hosts')).toContainText('8192')
  for (const a of ['approve', 'reject', 'finish']) await expect(page.getByTestId('act-' + a)).toHaveCount(0)
  await page.getByTestId('act-edit').click()
  await page.locator('#rq-purpose').fill('build server, bigger')
  await page.getByTestId('req-submit').click()
  await expect(page.getByTestId('req-facts')).toContainText('build server, bigger')
  await axe(page, 'request-host')
  // another's request is not there for it
  await page.goto(`/ui/requests/hosts/${theirs.id}`)
  await expect(page.getByText('申请单不存在，或您无权查看。')).toBeVisible()
  // the menu has requests, not DNS
  await expect(page.getByTestId('menu')).toContainText('资源申请')
  await expect(page.getByTestId('menu')).not.toContainText('DNS')

  await page.goto(`/ui/requests/hosts/${mine.id}`)
  await setLanguage(page, 'en')
  await expect(page.getByTestId('req-status')).toHaveText('Waiting for review')
  await expect(page.getByTestId('act-close')).toHaveText('Close')
  await page.goto('/ui/requests/hosts')
  await expect(page.getByRole('heading', { name: 'Host requests' })).toBeVisible()
  await expect(page.getByTestId('menu')).toContainText('Requests')
  await shot(page, 'requests-hosts-list-en')
  await setLanguage(page, 'zh-CN')
})
