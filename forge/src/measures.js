// An expectation's measures with their values over time (chart, history, record, count now,
// dispute): one implementation for both platforms, kept with the Connect pages' static files
// (which load it as a module); esbuild bundles it into the Custom UI from there.
export { measuresSection } from '../../connector/platforms/connect/pages/static/measures.js';
