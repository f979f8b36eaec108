// A server-side paged list: the API's page/page_size and count, filters
// sent with every request (never "load everything").
//   const list = paged('/applications/deploy-scripts/', filters)
//   list.load()            page 1 again after a filter change: list.search()
//   <el-pagination v-model:current-page="list.page" ... @current-change="list.load">
import { reactive } from 'vue'
import { api, newest } from '@/api'
import { showError } from '@/form'

export function paged(path, filters = {}, pageSize = 20) {
  const get = newest(api.get)
  const list = reactive({
    rows: [], count: 0, page: 1, pageSize, loading: false,
    async load() {
      list.loading = true
      try {
        const p = typeof path === 'function' ? path() : path
        const a = await get(p, { ...filters, page: list.page, page_size: list.pageSize })
        list.rows = a.results
        list.count = a.count
      } catch (e) { showError(e) }
      finally { list.loading = false }
    },
    search() { list.page = 1; return list.load() },
  })
  return list
}

// A remote search for an <el-select>: the first 20 matches of a name,
// only the newest search's answer (letters typed faster than answers).
//   const searchApps = nameSearch('/applications/', 'full_name')
//   options.value = await searchApps(text)
export function nameSearch(path, field, extra = {}) {
  const get = newest(api.get)
  return async (text) => {
    try {
      return (await get(path, { ...extra, [field]: text || undefined, page_size: 20 })).results
    } catch (e) { showError(e); return [] }
  }
}
