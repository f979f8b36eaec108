// Managing the external navigators (the home page shows them), in the
// administration group (users.group).
import { Link } from '@element-plus/icons-vue'

export default [
  { path: 'navigators', name: 'navigators', component: () => import('./NavigatorsPage.vue'),
    meta: { title: 'navigators.title', perm: 'navigator.view_navigator',
      menu: { order: 88, icon: Link, group: 'users.group' } } },
]
