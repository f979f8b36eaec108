// The areas' routes, collected by glob from src/areas/<area>/routes.js (each
// default-exports a list of routes), so that adding an area edits no file
// here.  Their meta is described in router.js and the README.
import { can, isSuperuser } from './session'

const modules = import.meta.glob('./areas/*/routes.js', { eager: true, import: 'default' })
export const areaRoutes = Object.entries(modules)
  .sort(([a], [b]) => a.localeCompare(b))
  .flatMap(([, routes]) => routes)

// May the signed-in user open a route with this meta?
export function allowed(meta = {}) {
  if (meta.superuser && !isSuperuser()) return false
  const perms = Array.isArray(meta.perm) ? meta.perm : meta.perm ? [meta.perm] : []
  return perms.every(can)
}
