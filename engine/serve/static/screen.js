// Upload with a progress bar, then save the screened file; without this script the form posts as usual.
(() => {
  const form = document.getElementById("screen-form");
  const bar = document.getElementById("progress");
  const status = document.getElementById("status");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.responseType = "blob";
    request.setRequestHeader("Accept", "application/json");  // errors come back as JSON
    bar.hidden = false;
    request.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = 100 * e.loaded / e.total; };
    request.upload.onload = () => { status.textContent = "screening…"; };
    request.onload = () => {
      if (request.status !== 200) {
        request.response.text().then((text) => {
          let message = text;
          try { message = JSON.parse(text).error; } catch (e) { /* a page, not JSON */ }
          status.textContent = message || `error ${request.status}`;
        });
        return;
      }
      const name = (request.getResponseHeader("content-disposition") || "").match(/filename="?([^";]+)"?/);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(request.response);
      link.download = name ? name[1] : "screened";
      link.textContent = `download ${link.download}`;
      status.textContent = "done: ";
      status.appendChild(link);
      link.click();
    };
    request.send(new FormData(form));
  });
})();
