// GOV.UK Frontend's JavaScript. Our Content-Security-Policy forbids inline script, so the class that the
// GOV.UK template usually sets inline is set here, before the components start.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
