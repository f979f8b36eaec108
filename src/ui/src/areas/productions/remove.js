// Deleting a production after a confirmation that names it.
import { ElMessage, ElMessageBox } from 'element-plus'
import { api } from '@/api'
import { showError } from '@/form'
import { t } from '@/i18n'

export async function deleteProduction(p) {
  try {
    await ElMessageBox.confirm(t('productions.deleteConfirm', { name: p.name }), t('common.delete'),
      { type: 'warning', confirmButtonText: t('common.delete'), cancelButtonText: t('common.cancel') })
  } catch { return false }
  try {
    await api.del(`/productions/${p.id}/`)
    ElMessage.success(t('common.deleted'))
    return true
  } catch (e) {
    showError(e)
    return false
  }
}
