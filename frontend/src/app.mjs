// GOV.UK Frontend's JavaScript. Our Content-Security-Policy forbids inline script, so the class that the
// GOV.UK template usually sets inline is set here, before the components start.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// Uploading a court paper: the form works without JavaScript; with it, the same post goes by XHR so that
// a progress bar can show how much has been sent. The server's answer (the papers page, or the form with
// its errors) then replaces the page.
for (const form of document.querySelectorAll("form[data-upload-progress]")) {
  const progress = form.querySelector("progress");
  const status = form.querySelector("[data-upload-status]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
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
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", () => {
      status.textContent = "The upload failed. Check your connection and try again.";
    });
    status.textContent = "Uploading…";
    request.send(new FormData(form));
  });
}
