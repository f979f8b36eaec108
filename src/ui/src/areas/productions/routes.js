// Productions (product lines): groups of applications.
import { Collection } from '@element-plus/icons-vue'

export default [
  { path: 'productions', name: 'productions', component: () => import('./ProductionList.vue'),
    meta: { title: 'productions.title', menu: { order: 12, icon: Collection },
            perm: 'resource.view_business' } },
  { path: 'productions/:id(\\d+)', name: 'production', component: () => import('./ProductionPage.vue'),
    meta: { title: 'productions.one', perm: 'resource.view_business' } },
]
