// Sign in, sign out, a wrong password, the return to the page asked for.
import { test, expect, newUser, signIn, shot, setLanguage } from './lib.js'

test('GET / goes to the UI; the sign-in page is in Chinese by default', async ({ page }) => {
  await page.goto('/')
  await expect(page).toHaveURL(/\/ui\/login\?next=/)
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  await expect(page.getByLabel('用户名')).toBeVisible()
  await shot(page, 'login-zh')
})

test('sign in and out', async ({ page }) => {
  const u = await newUser({ name: '测试用户' })
  await signIn(page, u.username, u.password)
  await expect(page.getByTestId('home-welcome')).toHaveText('欢迎，测试用户')
  await expect(page.getByTestId('user-menu')).toHaveText('测试用户')
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  // the session is over: the home page sends back to the sign-in page
  await page.goto('/ui/')
  await expect(page).toHaveURL(/\/ui\/login/)
  await expect(page.locator('#login-username')).toBeVisible()
})

test('a wrong password says so and signs nobody in', async ({ page }) => {
  const u = await newUser()
  await signIn(page, u.username, u.password + 'x')
  await expect(page.getByTestId('login-error')).toContainText('用户名或密码错误')
  await expect(page).toHaveURL(/\/ui\/login/)
  await setLanguage(page, 'en')
  await page.locator('[data-test=login-submit]').click()
  await expect(page.getByTestId('login-error')).toContainText('Wrong username or password')
})

test('after signing in, back to the page asked for', async ({ page }) => {
  const u = await newUser()
  await page.goto('/ui/profile')
  await expect(page).toHaveURL(/\/ui\/login\?next=(%2F|\/)profile/)
  await page.locator('#login-username').fill(u.username)
  await page.locator('#login-password').fill(u.password)
  await page.locator('[data-test=login-submit]').click()
  await expect(page).toHaveURL(/\/ui\/profile$/)
  await expect(page.getByRole('heading', { name: '个人资料' })).toBeVisible()
})

test('an expired session goes to sign in, then back to the same page', async ({ page, context }) => {
  const u = await newUser()
  await signIn(page, u.username, u.password)
  await expect(page.getByTestId('home-welcome')).toBeVisible()
  await page.goto('/ui/tokens')
  await expect(page.getByRole('heading', { name: 'API 令牌' })).toBeVisible()
  await context.clearCookies()	// the session is gone, the page still open
  await page.getByTestId('token-new').click()
  await page.locator('#token-name').fill('after-expiry')
  await page.getByTestId('token-create').click()
  await expect(page).toHaveURL(/\/ui\/login\?next=(%2F|\/)tokens/)
  await page.locator('#login-username').fill(u.username)
  await page.locator('#login-password').fill(u.password)
  await page.locator('[data-test=login-submit]').click()
  await expect(page).toHaveURL(/\/ui\/tokens$/)
  await expect(page.getByRole('heading', { name: 'API 令牌' })).toBeVisible()
  // nothing was made without a session
  await expect(page.getByTestId('tokens')).not.toContainText('after-expiry')
})
