/* policykb: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // ---- copy to clipboard ---------------------------------------------------
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "visually-hidden";
    document.body.appendChild(ta);
    ta.select();
    ta.setSelectionRange(0, text.length);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
        return fallbackCopy(text);
      });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function statusFor(button) {
    var scope = button.closest(".copy-buttons, .result-foot, .case-cite, .citation") || button.parentNode;
    return scope.querySelector(".copy-status");
  }

  function announce(button, ok) {
    var status = statusFor(button);
    if (!status) return;
    status.textContent = ok ? "コピーしました" : "コピーできませんでした。文字を選択してコピーしてください";
    window.clearTimeout(status._timer);
    status._timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  // Without POLICYKB_BASE_URL the server writes a citation's permalink as a path (never from the Host
  // header); here it becomes a full URL of the address the reader sees, in the text shown and copied.
  function absolutePermalinks() {
    document.querySelectorAll("[data-permalink^='/']").forEach(function (scope) {
      var path = scope.getAttribute("data-permalink");
      var full = new URL(path, window.location.href).href;
      scope.querySelectorAll(".citation-plain, .citation-md").forEach(function (el) {
        var text = el.textContent;
        var at = text.lastIndexOf(path);
        if (at >= 0) el.textContent = text.slice(0, at) + full + text.slice(at + path.length);
      });
    });
  }

  function setUpCopy() {
    absolutePermalinks();
    document.querySelectorAll(".copy-buttons[hidden], button[data-copy-text][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    document.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-copy-target], button[data-copy-text]");
      if (!button) return;
      var text = button.getAttribute("data-copy-text");
      if (text === null) {
        var source = document.getElementById(button.getAttribute("data-copy-target"));
        text = source ? source.textContent : "";
      }
      copyText(text).then(function (ok) { announce(button, ok); });
    });
  }

  // ---- client-side sort for tables marked data-sortable ------------------
  // The header links sort on the server (shareable URLs); with JS the rows are
  // re-ordered in place and the address bar gets the same URL.
  function cellValue(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-sort-value");
    return v === null ? cell.textContent.trim() : v;
  }

  function compare(a, b) {
    var na = Number(a), nb = Number(b);
    if (a !== "" && b !== "" && !isNaN(na) && !isNaN(nb)) return na - nb;
    return a.localeCompare(b, "ja");
  }

  function setUpSortable(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort-key]"));
    var tbody = table.tBodies[0];
    headers.forEach(function (th, index) {
      var link = th.querySelector("a");
      if (!link) return;
      link.addEventListener("click", function (ev) {
        if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return;
        ev.preventDefault();
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (r1, r2) {
          var a = cellValue(r1, index), b = cellValue(r2, index);
          if (a === "" && b !== "") return 1;    // blanks last, either direction
          if (b === "" && a !== "") return -1;
          var c = compare(a, b);
          if (c === 0) c = Number(r1.getAttribute("data-order")) - Number(r2.getAttribute("data-order"));
          else if (!ascending) c = -c;
          return c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
        headers.forEach(function (h) {
          h.removeAttribute("aria-sort");
          var ind = h.querySelector(".sort-ind");
          if (ind) ind.textContent = "↕";
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var ind = th.querySelector(".sort-ind");
        if (ind) ind.textContent = ascending ? "▲" : "▼";
        var url = new URL(link.href, window.location.href);
        url.searchParams.set("sort", th.getAttribute("data-sort-key"));
        if (ascending) url.searchParams.delete("order"); else url.searchParams.set("order", "desc");
        if (window.history && window.history.replaceState) window.history.replaceState(null, "", url.pathname + url.search);
        // Keep the server-side links in step with the new state.
        headers.forEach(function (h) {
          var a = h.querySelector("a");
          var u = new URL(a.href, window.location.href);
          var active = h === th;
          u.searchParams.set("sort", h.getAttribute("data-sort-key"));
          if (active && ascending) u.searchParams.set("order", "desc"); else u.searchParams.delete("order");
          a.href = u.pathname + u.search;
        });
      });
    });
  }

  // ---- search mode: switching re-runs the current query --------------------
  function setUpModeSwitch() {
    document.querySelectorAll(".search-form").forEach(function (form) {
      form.querySelectorAll("input[name=mode]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          var q = form.querySelector("input[name=q]");
          if (q && q.value.trim()) form.submit();
        });
      });
    });
  }

  // ---- citation of a selection -----------------------------------------------
  // Inside an element marked data-cite-scope (the reader, a record's text), selecting
  // text offers a button that copies exactly that selection with its source:
  // 「発行主体『題名』（日付）、章 ＞ 節、頁「選択した文」URL」. The place comes from the
  // data-cite-* attributes nearest the start of the selection, the URL from the quote
  // mark it starts in (the record's permalink) or else the scope (the page or record).
  function citeAttr(node, name) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    var holder = el && el.closest("[data-cite-" + name + "]");
    return holder ? holder.getAttribute("data-cite-" + name) : "";
  }

  function selectedText(range) {
    var box = document.createElement("div");
    box.appendChild(range.cloneContents());
    // Links to records and outline labels are the site's, not the document's words.
    box.querySelectorAll(".q-link, .doc-outline, .para-label").forEach(function (el) { el.remove(); });
    // Slide text breaks lines inside words; a citation quotes it as one run.
    return box.textContent.split(/\r?\n/).map(function (l) { return l.trim(); }).join("");
  }

  function selectionCitation(range, scope) {
    var start = range.startContainer;
    var text = selectedText(range);
    if (!text) return "";
    var place = [citeAttr(start, "section"), citeAttr(start, "page")].filter(Boolean).join("、");
    var url = new URL(citeAttr(start, "url") || scope.getAttribute("data-cite-url"), window.location.href).href;
    // [officials] A record's statistical source (原資料) goes with any part of it, as in the whole-record
    // citation: from the quote mark the selection starts in (the reader) or the record's text; the
    // document's official URL from the scope.
    var origin = citeAttr(start, "origin");
    var official = citeAttr(start, "official");
    // [/officials]
    return scope.getAttribute("data-cite-publisher") + "『" + scope.getAttribute("data-cite-title") + "』（" +
      scope.getAttribute("data-cite-date") + "）" + (place ? "、" + place : "") + "「" + text + "」" +
      (origin ? "（原資料：" + origin + "）" : "") + (official ? "（" + official + "）" : "") + url;
  }

  // ---- citation of a selection through /api/cite (issue 20) -------------------
  // On a record page each line of the text carries its source offset (data-at), and the scope
  // names the record (data-cite-record) and the API (data-cite-api): the selection is sent as
  // source offsets, and the server cites it (for a statute, at its 条・項・号 with the 法令番号).
  // Elsewhere (the reader) or when the server cannot be asked, the citation is built here as before.
  function selectionOffsets(range, scope) {
    var lines = Array.prototype.filter.call(scope.querySelectorAll("[data-at]"), function (el) {
      return range.intersectsNode(el);
    });
    if (!lines.length) return null;
    function at(line, container, offset, atEnd) {
      var base = Number(line.getAttribute("data-at"));
      if (!line.contains(container)) return base + (atEnd ? line.textContent.length : 0);
      var upTo = document.createRange();
      upTo.setStart(line, 0);
      upTo.setEnd(container, offset);
      return base + upTo.toString().length;
    }
    var start = at(lines[0], range.startContainer, range.startOffset, false);
    var end = at(lines[lines.length - 1], range.endContainer, range.endOffset, true);
    return end > start ? { start: start, end: end } : null;
  }

  function serverCitation(range, scope) {
    var rid = scope.getAttribute("data-cite-record");
    var api = scope.getAttribute("data-cite-api");
    var offsets = rid && api && window.fetch ? selectionOffsets(range, scope) : null;
    if (!offsets) return null;
    var url = api + "?record=" + encodeURIComponent(rid) + "&start=" + offsets.start + "&end=" + offsets.end;
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (resp) {
      if (!resp.ok) throw new Error("cite " + resp.status);
      return resp.json();
    }).then(function (data) {
      // Without POLICYKB_BASE_URL the permalink is a path: made a full URL of this page's site.
      var path = data.permalink || "";
      var text = data.text;
      var at = path.charAt(0) === "/" ? text.lastIndexOf(path) : -1;
      if (at >= 0) text = text.slice(0, at) + new URL(path, window.location.href).href + text.slice(at + path.length);
      return text;
    });
  }

  function currentRange() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var el = node.nodeType === 1 ? node : node.parentElement;
    var scope = el && el.closest("[data-cite-scope]");
    return scope ? { range: range, scope: scope } : null;
  }

  function setUpSelectionCite() {
    if (!document.querySelector("[data-cite-scope]")) return;
    var bar = document.createElement("div");
    bar.className = "selection-cite";
    bar.hidden = true;
    bar.innerHTML = '<button type="button" class="button" data-selection-cite>選択した文を引用としてコピー</button>' +
      '<span class="copy-status" role="status" aria-live="polite"></span>';
    document.body.appendChild(bar);
    var button = bar.querySelector("button");
    var status = bar.querySelector(".copy-status");
    var last = null;
    document.addEventListener("selectionchange", function () {
      var found = currentRange();
      if (found && selectedText(found.range)) {
        last = { range: found.range.cloneRange(), scope: found.scope };
        bar.hidden = false;
        status.textContent = "";
      } else if (!bar.contains(document.activeElement)) {
        bar.hidden = true;
      }
    });
    // Keep the selection when the button is pressed (mousedown would clear it first).
    button.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    button.addEventListener("click", function () {
      var found = currentRange() || last;
      var text = found ? selectionCitation(found.range, found.scope) : "";
      if (!text) return;
      function done(ok) {
        status.textContent = ok ? "コピーしました" : "コピーできませんでした。文字を選択してコピーしてください";
      }
      var asked = serverCitation(found.range, found.scope);
      if (asked) {
        asked.then(copyText, function () { return copyText(text); }).then(done);
      } else {
        copyText(text).then(done);
      }
    });
  }

  // ---- deadline range: send only the ends chosen --------------------------
  // 「指定なし」 would send deadline_from= ; the server ignores it, but the address is cleaner without.
  function setUpDeadlineRange() {
    document.querySelectorAll("form[data-deadline-range]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("select").forEach(function (s) { s.disabled = !s.value; });
        // Re-enable after the navigation starts, so going back shows a usable form.
        window.setTimeout(function () { form.querySelectorAll("select").forEach(function (s) { s.disabled = false; }); }, 0);
      });
    });
  }

  // ---- search box: say when the query is over the length the server accepts ----
  // The limit is said under the box; past it, the count shows as the person types or pastes.
  function setUpQueryLimit() {
    document.querySelectorAll("input[data-max-chars]").forEach(function (input) {
      var max = Number(input.getAttribute("data-max-chars"));
      var hint = document.getElementById(input.getAttribute("aria-describedby"));
      var count = hint && hint.querySelector(".search-limit-count");
      if (!max || !count) return;
      function update() {
        var n = Array.from(input.value.trim()).length;  // code points, as the server counts
        var over = n > max;
        count.textContent = over ? "いま" + n.toLocaleString("ja-JP") + "文字です。" +
          (n - max).toLocaleString("ja-JP") + "文字減らしてから検索してください。" : "";
        hint.classList.toggle("search-limit-over", over);
        input.setAttribute("aria-invalid", over ? "true" : "false");
      }
      input.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSelectionCite();
    setUpDeadlineRange();
    setUpQueryLimit();
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopy();
    document.querySelectorAll("table[data-sortable]").forEach(setUpSortable);
    setUpModeSwitch();
  });
})();
