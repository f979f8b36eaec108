import { HomeFilled } from '@element-plus/icons-vue'

export default [
  { path: '', name: 'home', component: () => import('./HomePage.vue'),
    meta: { title: 'home.title', menu: { order: 0, icon: HomeFilled } } },
]
