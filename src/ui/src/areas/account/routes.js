// The caller's own account: profile, password, API tokens (user menu).
export default [
  { path: 'profile', name: 'profile', component: () => import('./ProfilePage.vue'),
    meta: { title: 'account.profile' } },
  { path: 'password', name: 'password', component: () => import('./PasswordPage.vue'),
    meta: { title: 'account.changePassword' } },
  { path: 'tokens', name: 'tokens', component: () => import('./TokensPage.vue'),
    meta: { title: 'account.tokens' } },
]
