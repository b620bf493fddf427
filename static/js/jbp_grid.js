// JBP target grid: spreadsheet-like keyboard navigation, block paste from Excel, top-down allocation,
// live row/column totals and debounced autosave through htmx. The server is the authority: pasted text
// and allocations are computed by the server, and every saved cell is validated there again.
(function () {
  "use strict";

  var table = document.getElementById("target-grid");
  var configNode = document.getElementById("grid-config");
  if (!table || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var saveForm = document.getElementById("grid-save-form");
  var dirtyInput = document.getElementById("dirty-cells");
  var notes = document.getElementById("paste-notes");
  var SEP = "\u0001";
  var dirty = {}; // "row\u0001col" -> text typed, not yet confirmed by the server
  var inflight = {}; // what the last save request carried

  var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr[data-row]"), function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("input.grid-cell"));
  });
  var colCount = config.columns.length;
  var decimals = config.kind === "money" ? 2 : 0;
  var formatter = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || "The server refused the request.");
        return data;
      });
    });
  }

  function position(input) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(input);
      if (c !== -1) return { r: r, c: c };
    }
    return null;
  }

  function cellAt(r, c) {
    if (r < 0 || r >= rows.length || c < 0 || c >= colCount) return null;
    return rows[r][c] || null;
  }

  function cellFor(row, col) {
    return table.querySelector('input.grid-cell[data-row="' + CSS.escape(row) + '"][data-col="' + CSS.escape(col) + '"]');
  }

  // A lenient local check for instant feedback; the server parses for real (thousands separators,
  // both decimal conventions, currency symbols, parentheses for negatives).
  var NUMBER_LIKE = /^\s*[-+(\u2212]?\s*(?:[A-Za-z]{3})?\s*[$€£¥]?\s*[\d][\d.,\s'\u00a0]*\s*[$€£¥]?\s*(?:[A-Za-z]{3})?\s*%?\s*\)?-?\s*$/;

  function toNumber(text) {
    // Totals are a preview: read the grid's own format (1,234.56); the server has the exact figures.
    var cleaned = String(text).replace(/[^\d.\-]/g, "");
    var value = parseFloat(cleaned);
    return isNaN(value) ? null : value;
  }

  function validate(input) {
    var td = input.parentElement;
    var text = input.value.trim();
    var ok = text === "" || NUMBER_LIKE.test(text);
    td.classList.toggle("invalid", !ok);
    input.title = ok ? "" : "Not a number: type 1234.56, 1,234.56 or 1.234,56";
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    return ok;
  }

  function recomputeTotals() {
    if (!config.additive) return;
    var colTotals = new Array(colCount).fill(null);
    var grand = null;
    rows.forEach(function (inputs, r) {
      var rowTotal = null;
      inputs.forEach(function (input, c) {
        var value = input.value.trim() === "" ? null : toNumber(input.value);
        if (value === null) return;
        rowTotal = (rowTotal || 0) + value;
        colTotals[c] = (colTotals[c] || 0) + value;
      });
      var cell = table.querySelector('[data-row-total="' + CSS.escape(config.rows[r]) + '"]');
      if (cell) cell.textContent = rowTotal === null ? "" : formatter.format(rowTotal);
      if (rowTotal !== null) grand = (grand || 0) + rowTotal;
    });
    colTotals.forEach(function (total, c) {
      var cell = table.querySelector('[data-col-total="' + c + '"]');
      if (cell) cell.textContent = total === null ? "" : formatter.format(total);
    });
    var grandCell = document.getElementById("grand-total");
    if (grandCell) grandCell.textContent = grand === null ? "" : formatter.format(grand);
  }

  function markDirty(input) {
    if (!config.editable) return;
    var key = input.dataset.row + SEP + input.dataset.col;
    var td = input.parentElement;
    td.classList.remove("saved");
    if (!validate(input)) {
      delete dirty[key];
    } else {
      dirty[key] = input.value.trim();
      td.classList.add("dirty");
    }
    scheduleSave();
  }

  function scheduleSave() {
    if (!saveForm) return;
    var cells = Object.keys(dirty).map(function (key) {
      var parts = key.split(SEP);
      return { row: parts[0], col: parts[1], value: dirty[key] };
    });
    if (!cells.length) return;
    dirtyInput.value = JSON.stringify(cells);
    var status = document.getElementById("save-status");
    if (status) status.innerHTML = '<span class="text-muted"><i class="bi bi-three-dots"></i> Unsaved changes…</span>';
    window.htmx.trigger(saveForm, "jbp-dirty");
  }

  // --- keyboard navigation ------------------------------------------------------------------------

  function focusCell(target) {
    if (!target) return false;
    target.focus();
    target.select();
    return true;
  }

  table.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("grid-cell")) return;
    input.dataset.orig = input.value;
    input.select();
    var allocRow = document.getElementById("alloc-row");
    if (allocRow) allocRow.value = input.dataset.row;
  });

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("grid-cell")) return;
    var pos = position(input);
    if (!pos) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var allSelected = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    var moved = false;
    switch (event.key) {
      case "ArrowUp":
        moved = focusCell(cellAt(pos.r - 1, pos.c));
        break;
      case "ArrowDown":
        moved = focusCell(cellAt(pos.r + 1, pos.c));
        break;
      case "ArrowLeft":
        if (atStart || allSelected) moved = focusCell(cellAt(pos.r, pos.c - 1));
        break;
      case "ArrowRight":
        if (atEnd || allSelected) moved = focusCell(cellAt(pos.r, pos.c + 1));
        break;
      case "Enter":
        moved = focusCell(cellAt(pos.r + (event.shiftKey ? -1 : 1), pos.c)) || true;
        break;
      case "Escape":
        input.value = input.dataset.orig || "";
        markDirty(input);
        recomputeTotals();
        input.select();
        moved = true;
        break;
      default:
        return;
    }
    if (moved) event.preventDefault();
  });

  table.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("grid-cell")) return;
    markDirty(input);
    recomputeTotals();
  });

  // --- paste a block from a spreadsheet -----------------------------------------------------------

  function showNotes(lines, isError) {
    if (!notes) return;
    if (!lines.length) {
      notes.classList.add("d-none");
      return;
    }
    notes.className = "alert py-2 small " + (isError ? "alert-warning" : "alert-info");
    notes.innerHTML = "";
    lines.forEach(function (line) {
      var div = document.createElement("div");
      div.textContent = line;
      notes.appendChild(div);
    });
  }

  function splitBlock(text) {
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    return lines.map(function (line) {
      return line.split("\t");
    });
  }

  function applyCells(cells) {
    cells.forEach(function (cell) {
      var input = cellFor(cell.row, cell.col);
      if (!input) return;
      input.value = cell.value;
      input.parentElement.classList.remove("invalid");
      markDirty(input);
    });
    recomputeTotals();
  }

  table.addEventListener("paste", function (event) {
    var input = event.target;
    if (!config.editable || !(input instanceof HTMLInputElement) || !input.classList.contains("grid-cell")) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.replace(/\n+$/, ""))) return; // a single value pastes into the cell as usual
    event.preventDefault();
    var pos = position(input);
    var block = splitBlock(text);
    // Show where the block lands while the server reads it.
    block.forEach(function (cells, dr) {
      cells.forEach(function (_, dc) {
        var target = cellAt(pos.r + dr, pos.c + dc);
        if (target) target.parentElement.classList.add("pasting");
      });
    });
    postJson(config.urls.paste, { text: text, metric: config.metric, dim: config.dim, row: input.dataset.row, col: input.dataset.col })
      .then(function (data) {
        applyCells(data.cells);
        var lines = ["Pasted " + data.cells.length + " cell" + (data.cells.length === 1 ? "" : "s") + "."].concat(data.notes);
        data.errors.forEach(function (error) {
          var target = cellFor(error.target_row, error.target_col);
          if (target) {
            target.parentElement.classList.add("invalid");
            target.title = error.message;
          }
          lines.push("Row " + error.row + ", column " + error.column + ' ("' + error.value + '"): ' + error.message + ".");
        });
        showNotes(lines, data.errors.length > 0);
      })
      .catch(function (error) {
        showNotes([error.message], true);
      })
      .finally(function () {
        table.querySelectorAll("td.pasting").forEach(function (td) {
          td.classList.remove("pasting");
        });
      });
  });

  // --- autosave -----------------------------------------------------------------------------------

  if (saveForm) {
    saveForm.addEventListener("htmx:configRequest", function () {
      inflight = {};
      JSON.parse(dirtyInput.value || "[]").forEach(function (cell) {
        inflight[cell.row + SEP + cell.col] = cell.value;
      });
    });
    saveForm.addEventListener("jbpSaved", function (event) {
      var detail = event.detail || {};
      (detail.saved || []).forEach(function (cell) {
        var key = cell.row + SEP + cell.col;
        var input = cellFor(cell.row, cell.col);
        if (dirty[key] === inflight[key]) {
          delete dirty[key];
          if (input) {
            input.parentElement.classList.remove("dirty", "invalid");
            input.parentElement.classList.add("saved");
            if (document.activeElement !== input) input.value = cell.value;
          }
        }
      });
      (detail.errors || []).forEach(function (cell) {
        var key = cell.row + SEP + cell.col;
        if (dirty[key] === inflight[key]) delete dirty[key];
        var input = cellFor(cell.row, cell.col);
        if (input) {
          input.parentElement.classList.remove("dirty");
          input.parentElement.classList.add("invalid");
          input.title = cell.message;
        }
      });
      dirtyInput.value = JSON.stringify(
        Object.keys(dirty).map(function (key) {
          var parts = key.split(SEP);
          return { row: parts[0], col: parts[1], value: dirty[key] };
        })
      );
      recomputeTotals();
      if (Object.keys(dirty).length) window.htmx.trigger(saveForm, "jbp-dirty");
    });
    saveForm.addEventListener("htmx:responseError", function () {
      var status = document.getElementById("save-status");
      if (status && !status.textContent.trim()) status.textContent = "Not saved: the server refused the change.";
    });
  }

  // "Saved at hh:mm" in the user's own time zone.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "save-status") {
      event.target.querySelectorAll("time[datetime]").forEach(function (node) {
        var when = new Date(node.getAttribute("datetime"));
        if (!isNaN(when)) node.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      });
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(dirty).length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- top-down allocation ------------------------------------------------------------------------

  var allocForm = document.getElementById("allocate-form");
  if (allocForm) {
    allocForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var period = document.getElementById("alloc-period").value.split("|");
      var note = document.getElementById("alloc-note");
      note.textContent = "Spreading…";
      postJson(config.urls.allocate, {
        metric: config.metric,
        dim: config.dim,
        row: document.getElementById("alloc-row").value,
        first: period[0],
        last: period[1],
        total: document.getElementById("alloc-total").value,
        method: document.getElementById("alloc-method").value,
      })
        .then(function (data) {
          applyCells(data.cells);
          note.className = "small text-muted pb-1";
          note.textContent = "Spread by " + data.method.toLowerCase() + "." + (data.note ? " " + data.note : "");
        })
        .catch(function (error) {
          note.className = "small text-danger pb-1";
          note.textContent = error.message;
        });
    });
  }

  rows.forEach(function (inputs) {
    inputs.forEach(validate);
  });
})();
