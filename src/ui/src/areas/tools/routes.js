// Common tools (the seed's 常用工具): CDN cache refresh and the bastion
// command log.  Both need the module switch common_tools.enable_common_tools
// (module_perms are false when it is off) and each tool its own permission.
import { Brush, Tickets } from '@element-plus/icons-vue'

const CDN = ['common_tools.enable_common_tools', 'common_tools.enable_cdn_refresher']
const LOGS = ['common_tools.enable_common_tools', 'common_tools.enable_jumpserver_log_mgmt']

export default [
  { path: 'tools/cdn', name: 'cdn-tasks', component: () => import('./CdnTaskList.vue'),
    meta: { title: 'tools.cdn.title', perm: CDN,
      menu: { order: 70, icon: Brush, group: 'tools.group' } } },
  { path: 'tools/cdn/new', name: 'cdn-new', component: () => import('./CdnTaskNew.vue'),
    meta: { title: 'tools.cdn.new', perm: CDN } },
  { path: 'tools/cdn/:id(\\d+)', name: 'cdn-task', component: () => import('./CdnTaskPage.vue'),
    meta: { title: 'tools.cdn.one', perm: CDN } },
  { path: 'tools/jump-logs', name: 'jump-logs', component: () => import('./JumpLogs.vue'),
    meta: { title: 'tools.logs.title', perm: LOGS,
      menu: { order: 71, icon: Tickets, group: 'tools.group' } } },
]
