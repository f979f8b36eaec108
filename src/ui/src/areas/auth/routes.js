// Sign in and password reset: public pages, without the layout.
export default [
  { path: '/login', name: 'login', component: () => import('./LoginPage.vue'),
    meta: { public: true, title: 'auth.signIn' } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('./ForgotPage.vue'),
    meta: { public: true, title: 'auth.forgotTitle' } },
  // The mailed link is PUBLIC_URL/ui/#/reset-password?token=...: main.js
  // turns that "#/..." into this route, so the token never reaches a
  // server log (a fragment is not sent).
  { path: '/reset-password', name: 'reset-password', component: () => import('./ResetPage.vue'),
    meta: { public: true, title: 'auth.resetTitle' } },
]
