// The audit trail: one page per audit endpoint (man/hangar-api.7, AUDIT),
// all shown by components/AuditList.vue.  Superusers only, as the API.
import { Document } from '@element-plus/icons-vue'

const page = () => import('./AuditPage.vue')
function audit(path, endpoint, title, order) {
  return { path: 'audit/' + path, name: 'audit-' + path, component: page,
    meta: { title, endpoint, superuser: true,
      menu: { order, icon: Document, group: 'audit.group' } } }
}

export default [
  audit('applications', '/audit/app-operations/', 'audit.apps', 90),
  audit('hosts', '/audit/host-operations/', 'audit.hosts', 91),
  audit('dns', '/audit/dns-operations/', 'audit.dns', 92),
  audit('module-grants', '/audit/authorize-operations/modules/', 'audit.moduleGrants', 93),
  audit('resource-grants', '/audit/authorize-operations/resources/', 'audit.resourceGrants', 94),
  audit('tokens', '/audit/auth-token-operations/', 'audit.tokens', 95),
  audit('credentials', '/audit/credential-operations/', 'audit.credentials', 96),
  audit('cloud-accounts', '/audit/cloud-account-operations/', 'audit.cloudAccounts', 97),
  audit('deploy-scripts', '/audit/deploy-script-operations/', 'audit.deployScripts', 98),
  audit('deploy-templates', '/audit/deploy-template-operations/', 'audit.deployTemplates', 99),
  audit('deploy-freezes', '/audit/deploy-freeze-operations/', 'audit.deployFreezes', 100),
]
