// Host tasks (start, stop, restart, init) and any task's page with its
// live output.  Other areas link to a task's output with
// { name: 'task', params: { id } } (optionally query.kind: 'restart', ...).
import { List } from '@element-plus/icons-vue'

export default [
  { path: 'tasks', name: 'tasks', component: () => import('./TaskList.vue'),
    meta: { title: 'tasks.title', menu: { order: 30, icon: List }, perm: 'resource.enable_host_mgmt' } },
  // Only signed in: a deploy sub-task's output is a task too, readable by
  // whoever may see every host of it (the API decides).
  { path: 'tasks/:id(\\d+)', name: 'task', component: () => import('./TaskPage.vue'),
    meta: { title: 'tasks.one' } },
]
