// Applications (CMDB): the tree, and one application's page with its
// instances, people, links, grants and audit.
import { Grid } from '@element-plus/icons-vue'

export default [
  { path: 'applications', name: 'applications', component: () => import('./AppTree.vue'),
    meta: { title: 'applications.title', menu: { order: 10, icon: Grid },
            perm: 'application.enable_app_mgmt' } },
  { path: 'applications/:id(\\d+)', name: 'application', component: () => import('./AppPage.vue'),
    meta: { title: 'applications.one', perm: 'application.enable_app_mgmt' } },
]
