// Users, their roles and permissions (superusers only, as the API).  The
// administration menu group (users.group) also holds roles, credentials,
// cloud accounts and navigators (their own areas).
import { User } from '@element-plus/icons-vue'

export default [
  { path: 'users', name: 'users', component: () => import('./UsersPage.vue'),
    meta: { title: 'users.title', superuser: true,
      menu: { order: 80, icon: User, group: 'users.group' } } },
  { path: 'users/:id(\\d+)', name: 'user', component: () => import('./UserPage.vue'),
    meta: { title: 'users.one', superuser: true } },
]
