// The Connect pages' half of the shared UI: flags through all.js's AP.flag, and the modules
// handed to the page script (icm.js, a classic script) as `window.ICMUI`.
import { askWords, confirmDanger } from './dialog.js';
import { showFieldErrors } from './dom.js';
import { makeFlag } from './flags.js';
import { focusFirstError, measureSources, readMeasures, removableMeasures, showMeasureErrors } from './measures.js';
import { emptySide, setupTeam } from './setup.js';
import { showExpectation, waitingSummary } from './waiting.js';

// all.js loads asynchronously: whether AP.flag exists is decided at each flag.
const flag = makeFlag(({ title, body, kind }) => {
  if (!(window.AP && AP.flag && typeof AP.flag.create === 'function')) return false;
  AP.flag.create({ title, body, type: kind, close: 'auto' });
  return true;
});

window.ICMUI = {
  askWords, confirmDanger, emptySide, flag, focusFirstError, measureSources, readMeasures,
  removableMeasures, setupTeam, showExpectation, showFieldErrors, showMeasureErrors, waitingSummary,
};
