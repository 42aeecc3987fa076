// GOV.UK Frontend's JavaScript. Our Content-Security-Policy forbids inline script, so the class that the
// GOV.UK template usually sets inline is set here, before the components start.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Uploading a court paper: the form works without JavaScript; with it, the same post goes by XHR so that
// a progress bar can show how much has been sent. Success follows the redirect. Any other answer (the form
// with its errors) is shown as a page load would show it: its <main> and title replace ours, GOV.UK
// Frontend starts on the new content (so the error summary takes focus), and the new form is enhanced.
function replaceMain(html) {
  const next = new DOMParser().parseFromString(html, "text/html");
  const main = document.querySelector("main");
  const arrived = next.querySelector("main");
  if (!main || !arrived) return false;
  main.replaceWith(document.adoptNode(arrived));
  document.title = next.title;
  window.scrollTo(0, 0);
  initAll({ scope: arrived });
  enhanceUploads(arrived);
  return true;
}

function enhanceUploads(scope) {
  for (const form of scope.querySelectorAll("form[data-upload-progress]")) {
    const progress = form.querySelector("progress");
    const status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action"));
      request.upload.addEventListener("progress", (sent) => {
        if (!sent.lengthComputable) return;
        const percent = Math.round((sent.loaded / sent.total) * 100);
        progress.hidden = false;
        progress.value = percent;
        status.textContent = `Uploading: ${percent}%`;
      });
      request.addEventListener("load", () => {
        if (request.status < 400 && request.responseURL) {
          window.location.assign(request.responseURL);
        } else if (!replaceMain(request.responseText)) {
          status.textContent = "The upload failed. Reload the page and try again.";
        }
      });
      request.addEventListener("error", () => {
        status.textContent = "The upload failed. Check your connection and try again.";
      });
      status.textContent = "Uploading…";
      request.send(new FormData(form));
    });
  }
}

enhanceUploads(document);

// The handover draft saves itself as the guardian types (the buttons still work without JavaScript). A
// save by someone else in the meantime is a conflict: autosaving stops and the page says so.
for (const form of document.querySelectorAll("form[data-autosave]")) {
  const status = form.querySelector("[data-autosave-status]");
  const revision = form.querySelector('input[name="revision"]');
  let timer = null;
  let stopped = false;
  const save = async () => {
    const data = new FormData(form);
    data.set("action", "autosave");
    const response = await fetch(form.getAttribute("action"), { method: "POST", body: data, headers: { Accept: "application/json" } });
    const body = await response.json();
    if (response.ok) {
      revision.value = body.revision;
      status.textContent = `Saved at ${new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
    } else if (response.status === 409) {
      stopped = true;
      status.textContent = "Someone else has saved this handover. Copy your changes, then reload the page to see theirs.";
    }
  };
  form.addEventListener("input", () => {
    if (stopped) return;
    clearTimeout(timer);
    status.textContent = "Not saved yet";
    timer = setTimeout(save, 2000);
  });
}
