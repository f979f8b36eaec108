// Roles, their members and permissions (superusers only, as the API's
// changes), in the administration group (users.group).
import { UserFilled } from '@element-plus/icons-vue'

export default [
  { path: 'roles', name: 'roles', component: () => import('./RolesPage.vue'),
    meta: { title: 'roles.title', superuser: true,
      menu: { order: 82, icon: UserFilled, group: 'users.group' } } },
  { path: 'roles/:id(\\d+)', name: 'role', component: () => import('./RolePage.vue'),
    meta: { title: 'roles.one', superuser: true } },
]
