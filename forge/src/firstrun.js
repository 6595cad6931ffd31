// The Forge views' half of the shared UI (the Connect pages use the same modules, see
// connector/platforms/connect/pages/static/ui/): flags through the bridge's showFlag, and the
// first-run and daily-use pieces view.js wires in.
import { showFlag } from '@forge/bridge';
import { makeFlag } from '../../connector/platforms/connect/pages/static/ui/flags.js';

export { askWords, confirmDanger } from '../../connector/platforms/connect/pages/static/ui/dialog.js';
export { showFieldErrors } from '../../connector/platforms/connect/pages/static/ui/dom.js';
export { focusFirstError, measureSource, readMeasures, removableMeasures, showMeasureErrors } from '../../connector/platforms/connect/pages/static/ui/measures.js';
export { latestText, ratingForm } from '../../connector/platforms/connect/pages/static/ui/panel.js';
export { emptySide, setupTeam } from '../../connector/platforms/connect/pages/static/ui/setup.js';
export { showExpectation, waitingSummary } from '../../connector/platforms/connect/pages/static/ui/waiting.js';

let shown = 0;
export const flag = makeFlag(({ title, body, kind }) => {
  shown += 1;
  showFlag({ id: `icm-flag-${shown}`, title, description: body, type: kind, isAutoDismiss: kind !== 'error' });
});
