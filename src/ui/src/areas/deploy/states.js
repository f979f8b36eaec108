// Deploy task states and levels, and the tag colour of each state.
export const STATES = ['wait_review', 'approved', 'rejected', 'running', 'finished', 'failed', 'closed']
export const LEVELS = ['S', 'A', 'B', 'C', 'I']
const TAG = {
  wait_review: 'warning', approved: 'primary', running: 'primary', finished: 'success',
  succeeded: 'success', pending: 'info', failed: 'danger', rejected: 'danger', closed: 'info', stopped: 'info', updating: 'warning',
  reverting: 'warning',
}
export const tagType = (s) => TAG[s] || 'info'
