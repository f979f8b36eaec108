// Resource requests (man/hangar-api.7, RESOURCE REQUESTS): host, domain and
// SSL certificate requests, one list and one detail page for the three
// kinds (meta.kind).  A requester sees its own, an approver of the kind
// every one: the API decides, the pages show what it answers.
import { Tickets, Connection, Lock } from '@element-plus/icons-vue'

const perm = 'resource_request.enable_resource_req'
const list = () => import('./RequestList.vue')
const one = () => import('./RequestPage.vue')

export default [
  // the first entry's icon is the group's
  { path: 'requests/hosts', name: 'requests-hosts', component: list,
    meta: { title: 'requests.hosts', kind: 'hosts', perm,
            menu: { order: 50, icon: Tickets, group: 'requests.group' } } },
  { path: 'requests/domains', name: 'requests-domains', component: list,
    meta: { title: 'requests.domains', kind: 'domains', perm,
            menu: { order: 51, icon: Connection, group: 'requests.group' } } },
  { path: 'requests/ssl', name: 'requests-ssl', component: list,
    meta: { title: 'requests.ssl', kind: 'ssl', perm,
            menu: { order: 52, icon: Lock, group: 'requests.group' } } },
  { path: 'requests/hosts/:id', name: 'request-host', component: one,
    meta: { title: 'requests.one', kind: 'hosts', perm } },
  { path: 'requests/domains/:id', name: 'request-domain', component: one,
    meta: { title: 'requests.one', kind: 'domains', perm } },
  { path: 'requests/ssl/:id', name: 'request-ssl', component: one,
    meta: { title: 'requests.one', kind: 'ssl', perm } },
]
