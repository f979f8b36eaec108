// The side menu, from the routes' meta (router.js): entries the caller may
// open, ordered by meta.menu.order, grouped by meta.menu.group (an i18n
// key for a submenu).  Recomputed when the session changes.
import { computed } from 'vue'
import { areaRoutes, allowed } from './areas'
import { session } from './session'

export const menu = computed(() => {
  void session.modulePerms // depend on the session
  void session.user
  const items = areaRoutes
    .filter((r) => r.meta?.menu && !r.meta.public && allowed(r.meta))
    .map((r) => ({
      path: '/' + r.path.replace(/^\//, ''),
      title: r.meta.title,
      icon: r.meta.menu.icon,
      order: r.meta.menu.order ?? 100,
      group: r.meta.menu.group,
    }))
    .sort((a, b) => a.order - b.order)
  const out = []
  const groups = new Map()
  for (const it of items) {
    if (!it.group) { out.push(it); continue }
    let g = groups.get(it.group)
    if (!g) {
      g = { group: it.group, title: it.group, icon: it.icon, order: it.order, children: [] }
      groups.set(it.group, g)
      out.push(g)
    }
    g.children.push(it)
  }
  return out
})
