// Routes: every src/areas/<area>/routes.js default-exports a list of
// vue-router routes; they are collected here by glob, so an area is added
// without editing this file.  Route meta (see README):
//   title: i18n key of the page title (and of its menu entry)
//   menu:  { order: 10, icon: Component, group: 'i18n.key' } to list it in
//          the side menu (absent: not in the menu)
//   perm:  'module.perm' (or a list: all of them) needed to see the page;
//          module_perms from /auth/me/ (false when the module's switch is off)
//   superuser: true   only for superusers
//   public: true      no sign-in needed, shown without the layout (sign in,
//                     password reset)
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession } from './session'
import { setUnauthorizedHandler } from './api'
import { t } from './i18n'
import { areaRoutes, allowed } from './areas'
// The layout loads with the first signed-in page, not with the sign-in page.
const Layout = () => import('./layout/Layout.vue')

const publicRoutes = areaRoutes.filter((r) => r.meta?.public)
const appRoutes = areaRoutes.filter((r) => !r.meta?.public)

export const router = createRouter({
  history: createWebHistory('/ui/'),
  routes: [
    ...publicRoutes,
    { path: '/', component: Layout, children: [
      ...appRoutes,
      { path: 'forbidden', name: 'forbidden', component: () => import('./layout/Forbidden.vue'),
        meta: { title: 'common.forbidden' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./layout/NotFound.vue'),
        meta: { title: 'common.notFound' } },
    ] },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.user) {
    let signedIn = false
    try { signedIn = await loadSession() } catch { signedIn = false }
    if (!signedIn) return { name: 'login', query: { next: to.fullPath } }
  }
  if (!to.matched.every((r) => allowed(r.meta))) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

router.afterEach((to) => {
  const title = to.meta.title ? t(to.meta.title) : ''
  document.title = title ? `${title} - Hangar` : 'Hangar'
})

// An API call answered 401: the session is gone.  Sign in again, then back.
setUnauthorizedHandler(() => {
  const cur = router.currentRoute.value
  if (cur.meta.public) return
  session.user = null
  router.replace({ name: 'login', query: { next: cur.fullPath } })
})
