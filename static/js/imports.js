// Imports page: drag and drop several files; each one is uploaded on its own request with an upload
// progress bar, then the server's progress partial takes over and polls (htmx, every second) until the
// import is finished. Without JavaScript the form posts all files at once.
(function () {
  "use strict";

  const form = document.getElementById("upload-form");
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("id_file");
  const list = document.getElementById("upload-list");
  if (!form || !zone || !input || !list) return;

  const maxBytes = parseInt(form.dataset.maxBytes || "0", 10);

  function humanSize(bytes) {
    const units = ["bytes", "KB", "MB", "GB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
  }

  function card(file) {
    const item = document.createElement("div");
    item.className = "upload-item border rounded-3 p-2 bg-white";
    const head = document.createElement("div");
    head.className = "d-flex justify-content-between small mb-1";
    const name = document.createElement("span");
    name.className = "fw-semibold text-truncate upload-name";
    name.textContent = file.name;
    const size = document.createElement("span");
    size.className = "text-muted ms-2 text-nowrap";
    size.textContent = humanSize(file.size);
    head.append(name, size);
    const body = document.createElement("div");
    body.className = "upload-body";
    item.append(head, body);
    list.prepend(item);
    return body;
  }

  function showError(body, message) {
    const alert = document.createElement("div");
    alert.className = "alert alert-danger py-1 px-2 small mb-0 upload-refused";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    body.replaceChildren(alert);
  }

  function uploadBar(body) {
    const wrap = document.createElement("div");
    wrap.className = "progress";
    wrap.setAttribute("role", "progressbar");
    wrap.setAttribute("aria-label", "Upload progress");
    wrap.style.height = ".6rem";
    const bar = document.createElement("div");
    bar.className = "progress-bar bg-info";
    bar.style.width = "0%";
    wrap.append(bar);
    const note = document.createElement("div");
    note.className = "small text-muted mt-1";
    note.textContent = "Uploading…";
    body.replaceChildren(wrap, note);
    return function (pct) {
      bar.style.width = pct + "%";
      wrap.setAttribute("aria-valuenow", String(pct));
      note.textContent = "Uploading… " + pct + "%";
    };
  }

  function upload(file) {
    const body = card(file);
    if (maxBytes && file.size > maxBytes) {
      showError(body, file.name + " is " + humanSize(file.size) + "; the limit is " + humanSize(maxBytes) + ". Not uploaded.");
      return;
    }
    const data = new FormData(form);
    data.delete("file");
    data.append("file", file, file.name);
    const setPct = uploadBar(body);
    // XMLHttpRequest rather than fetch: only XHR reports upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    // The token also travels as a header so that a refused (too large) upload needs no body parsing.
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) setPct(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseText && xhr.getResponseHeader("Content-Type")?.startsWith("text/html")) {
        body.innerHTML = xhr.responseText; // our own server-rendered partial (escaped by Django)
        if (window.htmx) window.htmx.process(body);
      } else {
        showError(body, "Upload failed (HTTP " + xhr.status + ").");
      }
    });
    xhr.addEventListener("error", function () {
      showError(body, "Upload failed: the connection was interrupted.");
    });
    xhr.send(data);
  }

  function uploadAll(files) {
    Array.from(files).forEach(upload);
  }

  input.addEventListener("change", function () {
    uploadAll(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("border-primary", "bg-primary-subtle");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.remove("border-primary", "bg-primary-subtle");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
  });
})();
