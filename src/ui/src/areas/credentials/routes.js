// Host login credentials (passwords, SSH keys) and cloud accounts, in the
// administration group (users.group).  Credentials follow the API's
// module permissions (deploy_template: its switch to read,
// manage_credential to change); cloud accounts are superusers' only.
import { Key, Cloudy } from '@element-plus/icons-vue'

export default [
  { path: 'credentials', name: 'credentials', component: () => import('./CredentialsPage.vue'),
    meta: { title: 'credentials.title', perm: 'deploy_template.enable_deploy_template_mgmt',
      menu: { order: 84, icon: Key, group: 'users.group' } } },
  { path: 'cloud-accounts', name: 'cloud-accounts', component: () => import('./CloudAccountsPage.vue'),
    meta: { title: 'credentials.cloudAccounts', superuser: true,
      menu: { order: 86, icon: Cloudy, group: 'users.group' } } },
]
