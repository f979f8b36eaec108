// A server-side paged list for the admin pages (users, roles, credentials,
// navigators): the API's page/page_size and filters, never "load all".
//   const list = usePaged(() => '/users/', filters)
//   list.search()        filters applied from page 1
//   <el-table :data="list.rows.value"> ... <el-pagination v-bind="list.pager" ...>
import { ref } from 'vue'
import { api, newest } from '@/api'
import { showError } from '@/form'

export function usePaged(path, filters = {}, { pageSize = 20 } = {}) {
  const rows = ref([])
  const total = ref(0)
  const page = ref(1)
  const size = ref(pageSize)
  const loading = ref(false)
  let applied = {}
  const get = newest(api.get)

  async function load() {
    loading.value = true
    try {
      const ans = await get(typeof path === 'function' ? path() : path,
        { ...applied, page: page.value, page_size: size.value })
      rows.value = ans.results
      total.value = ans.count
      // a page emptied by a delete: the one before it
      if (!ans.results.length && page.value > 1 && ans.count > 0) {
        page.value = Math.ceil(ans.count / size.value)
        return load()
      }
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }
  function search() {
    applied = {}
    for (const [k, v] of Object.entries(filters)) {
      if (v !== undefined && v !== null && String(v).trim() !== '') applied[k] = String(v).trim()
    }
    page.value = 1
    return load()
  }
  function onPage(n) { page.value = n; load() }
  function onSize(n) { size.value = n; page.value = 1; load() }
  return { rows, total, page, size, loading, load, search, onPage, onSize }
}
