// Hosts: the list (server-side paging, the API's filters, batch power and
// init actions) and a host's page.
import { Monitor } from '@element-plus/icons-vue'

export default [
  { path: 'hosts', name: 'hosts', component: () => import('./HostList.vue'),
    meta: { title: 'hosts.title', menu: { order: 20, icon: Monitor }, perm: 'resource.enable_host_mgmt' } },
  { path: 'hosts/:id(\\d+)', name: 'host', component: () => import('./HostPage.vue'),
    meta: { title: 'hosts.one', perm: 'resource.enable_host_mgmt' } },
]
