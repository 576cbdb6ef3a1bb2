// htm bound to Preact's h: JSX-like templates without a build step.
import { h, render } from '/console/vendor/preact.mjs';
import htm from '/console/vendor/htm.mjs';

export const html = htm.bind(h);
export { render };
