// DNS (man/hangar-api.7, DNS): the company's PowerDNS and BIND servers, their
// domains and records, drift, import and export, and the DNS audit log.
// Reading needs the module's switch; changing needs manage_dns_server
// (buttons hidden without it); the audit is for superusers.
import { Connection, Document } from '@element-plus/icons-vue'

const perm = 'dns.enable_dns_mgmt'

export default [
  // the first entry's icon is the group's
  { path: 'dns', name: 'dns', component: () => import('./ServerList.vue'),
    meta: { title: 'dns.servers', perm, menu: { order: 60, icon: Connection, group: 'dns.group' } } },
  { path: 'dns/audit', name: 'dns-audit', component: () => import('./DnsAudit.vue'),
    meta: { title: 'dns.audit', perm, superuser: true,
            menu: { order: 61, icon: Document, group: 'dns.group' } } },
  { path: 'dns/servers/:sid', name: 'dns-server', component: () => import('./ServerPage.vue'),
    meta: { title: 'dns.server', perm } },
  { path: 'dns/servers/:sid/domains/:did', name: 'dns-domain', component: () => import('./DomainPage.vue'),
    meta: { title: 'dns.domain', perm } },
]
