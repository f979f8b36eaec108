// The forgotten password, end to end: the form, the mail in the SMTP sink,
// its link opening the reset page, the new password signing in.
import { test, expect, newUser, readMail, signIn, shot } from './lib.js'

test('password reset through the mailed link', async ({ page }) => {
  const u = await newUser()
  await page.goto('/ui/login')
  await page.getByRole('link', { name: '忘记密码？' }).click()
  await expect(page.getByRole('heading', { name: '找回密码' })).toBeVisible()
  await page.locator('#forgot-id').fill(String(u.id))
  await page.locator('#forgot-email').fill(u.email)
  await page.getByTestId('forgot-submit').click()
  await expect(page.getByTestId('forgot-sent')).toContainText('重置链接已发往该邮箱')

  const mail = await readMail(u.email)
  expect(mail, 'a mail reached the SMTP sink').not.toBeNull()
  const link = mail.match(/(http:\/\/\S+\/ui\/#\/reset-password\?token=[0-9A-Za-z_-]+)/)
  expect(link, 'the mail has the UI link').not.toBeNull()
  await page.goto(link[1])
  await expect(page.getByRole('heading', { name: '重置密码' })).toBeVisible()
  // the token is out of the address bar
  await expect(page).toHaveURL(/\/ui\/reset-password$/)
  await shot(page, 'reset-password')
  // too short, then different, then right
  await page.locator('#reset-password').fill('short')
  await page.getByTestId('reset-submit').click()
  await expect(page.getByText('密码至少 8 个字符。')).toBeVisible()
  const np = 'New-pass-' + Date.now()
  await page.locator('#reset-password').fill(np)
  await page.locator('#reset-again').fill(np + 'x')
  await page.getByTestId('reset-submit').click()
  await expect(page.getByText('两次输入的密码不一致。')).toBeVisible()
  await page.locator('#reset-again').fill(np)
  await page.getByTestId('reset-submit').click()
  await expect(page.getByTestId('reset-done')).toContainText('密码已重置')

  // the old password fails, the new one works
  await signIn(page, u.username, u.password)
  await expect(page.getByTestId('login-error')).toBeVisible()
  await signIn(page, u.username, np)
  await expect(page.getByTestId('home-welcome')).toContainText(u.username)

  // the link is used up
  await page.goto(link[1])
  await page.locator('#reset-password').fill(np + '2')
  await page.locator('#reset-again').fill(np + '2')
  await page.getByTestId('reset-submit').click()
  await expect(page.getByTestId('reset-error')).toContainText('链接无效、已使用或已过期')
})
