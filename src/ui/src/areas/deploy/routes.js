// Deployment (issues 12 and 13): deploy tasks and their sub-tasks, deploy
// scripts, deploy templates, repository credentials, an application's
// deploy settings, and an instance's log.  One submenu, "deploy.group".
import { Promotion, Document, Files, Key, Setting } from '@element-plus/icons-vue'

const APP = 'application.enable_app_mgmt'
const TPL = 'deploy_template.enable_deploy_template_mgmt'
const group = 'deploy.group'

export default [
  { path: 'deploy/tasks', name: 'deploy-tasks', component: () => import('./TaskList.vue'),
    meta: { title: 'deploy.tasks', menu: { order: 40, icon: Promotion, group }, perm: APP } },
  { path: 'deploy/tasks/:id(\\d+)', name: 'deploy-task', component: () => import('./TaskPage.vue'),
    meta: { title: 'deploy.task', perm: APP } },
  { path: 'deploy/settings', name: 'deploy-settings-apps', component: () => import('./SettingsApps.vue'),
    meta: { title: 'deploy.settings', menu: { order: 41, icon: Setting, group }, perm: APP } },
  { path: 'deploy/settings/:appId(\\d+)', name: 'deploy-settings', component: () => import('./SettingsPage.vue'),
    meta: { title: 'deploy.settingsOf', perm: APP } },
  { path: 'deploy/scripts', name: 'deploy-scripts', component: () => import('./ScriptList.vue'),
    meta: { title: 'deploy.scripts', menu: { order: 42, icon: Document, group }, perm: TPL } },
  { path: 'deploy/templates', name: 'deploy-templates', component: () => import('./TemplateList.vue'),
    meta: { title: 'deploy.templates', menu: { order: 43, icon: Files, group }, perm: TPL } },
  { path: 'deploy/credentials', name: 'deploy-credentials', component: () => import('./CredentialList.vue'),
    meta: { title: 'deploy.credentials', menu: { order: 44, icon: Key, group }, perm: TPL } },
  { path: 'deploy/logs/:appId(\\d+)/:iid(\\d+)', name: 'deploy-log', component: () => import('./InstanceLog.vue'),
    meta: { title: 'deploy.log', perm: APP } },
]
