// The journal grid, keyboard first: type a mark («5», «н/а», «.» for the debt dot) or an
// attendance code («н», «б», «уп», «оп10»); Enter/arrows/Tab move, every change is saved
// at once; Ctrl+Z undoes the last saved entry; Esc drops what is being typed.
// Several cells (paste, the ⇣ "fill column" button) go in one all-or-nothing request.
// Column facts live on the header cells (data-k kind, data-l lesson, data-w work,
// data-fix correction form); the row carries data-s (student); the input its data-v.
(() => {
  "use strict";
  const table = document.querySelector("table.jgrid");
  if (!table) return;
  const heads = Array.from(table.querySelectorAll("thead tr.jcols th"));
  const status = document.getElementById("jstatus");
  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  } catch (e) { /* no token: the server answers 403 and the cell shows the error */ }

  const colOf = (td) => heads[td.cellIndex - 1];
  const inputAt = (tr, index) => tr && tr.cells[index] && tr.cells[index].querySelector("input");
  const dirty = (input) => input.value.trim() !== input.defaultValue;

  // Screen readers (and axe) need a name per cell: student, date, column.
  (function label() {
    const dates = [];
    table.querySelectorAll("thead tr:first-child th.jl").forEach((th) => {
      const span = th.colSpan || 1;
      for (let i = 0; i < span; i += 1) dates.push(th.textContent.replace("*", "").trim());
    });
    Array.from(table.tBodies[0].rows).forEach((tr) => {
      const name = tr.cells[0] ? tr.cells[0].textContent.trim() : "";
      Array.from(tr.cells).forEach((td, n) => {
        const input = td.querySelector("input");
        if (!input || n === 0) return;
        const th = heads[n - 1];
        const what = th ? (th.dataset.k === "a" ? "посещаемость" : th.textContent.trim()) : "";
        input.setAttribute("aria-label", `${name}, ${dates[n - 1] || ""}, ${what}`);
        input.autocomplete = "off";
        input.spellcheck = false;
      });
    });
  })();

  function say(text, bad, link) {
    status.textContent = text;
    status.classList.toggle("bad", Boolean(bad));
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = "Подать запрос на исправление";
      status.append(" ", a);
    }
  }

  function show(input, state, title) {
    const td = input.parentElement;
    td.classList.remove("ok", "err", "busy");
    if (state) td.classList.add(state);
    if (state === "err") input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (title !== undefined) td.title = title;
  }

  // A saved cell: its value, version and (marks) the comment shown on hover.
  function settle(input, cell) {
    input.value = cell.text;
    input.defaultValue = cell.text;
    input.dataset.v = cell.ver === null || cell.ver === undefined ? "" : cell.ver;
    if (cell.c !== undefined) {
      input.parentElement.classList.toggle("cm", Boolean(cell.c));
      input.parentElement.title = cell.c;
    }
  }

  // What the server's refusal means for the teacher, when it did not answer in our JSON.
  function refusal(response) {
    if (response.redirected && /\/login\//.test(response.url)) {
      return "Сеанс завершён: войдите снова. Изменения не сохранены.";
    }
    if (response.status === 404) {
      return "Нет права вносить записи в этот урок (он недоступен или передан другому учителю). " +
        "Изменения не сохранены, обновите страницу.";
    }
    if (response.status === 403) {
      return "Страница устарела или нет прав: обновите её. Изменения не сохранены.";
    }
    if (response.status === 429) return "Слишком много запросов: подождите минуту и повторите.";
    if (response.status >= 500) {
      return "Ошибка на сервере: изменения не сохранены. Повторите позже.";
    }
    return "Не сохранено. Обновите страницу: возможно, сеанс завершён.";
  }

  function correctionUrl(input) {
    const td = input.parentElement;
    const th = colOf(td);
    const student = td.parentElement.dataset.s;
    if (th.dataset.fix) return `${th.dataset.fix}&student=${student}`;
    const kind = th.dataset.k === "a" ? "kind=attendance" :
      `kind=mark${th.dataset.w ? `&work=${th.dataset.w}` : ""}`;
    const base = table.dataset.save.replace(/cells\/$/, `lesson/${th.dataset.l}/correction/`);
    return `${base}?${kind}&student=${student}`;
  }

  // Undo: each successful save (one cell or a batch) remembers the values it replaced.
  const history = [];
  const HISTORY_LIMIT = 50;
  let undoing = false;

  let queue = Promise.resolve();
  // Saves run one after another, so a new work created by the first mark of a lesson
  // is known to the next save of the same column.
  function save(inputs, comment) {
    queue = queue.then(() => send(comment === undefined ? inputs.filter(dirty) : inputs, comment));
    return queue;
  }

  async function send(inputs, comment) {
    if (!inputs.length) return;
    const before = inputs.map((input) => input.defaultValue);
    const cells = inputs.map((input) => {
      const td = input.parentElement;
      const th = colOf(td);
      const cell = {
        k: th.dataset.k, l: th.dataset.l, w: th.dataset.w || null, s: td.parentElement.dataset.s,
        v: input.value.trim(), ver: input.dataset.v || null,
      };
      if (comment !== undefined) cell.c = comment;
      return cell;
    });
    inputs.forEach((input) => show(input, "busy"));
    let response;
    let data;
    try {
      response = await fetch(table.dataset.save, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ cells }),
      });
    } catch (e) {
      inputs.forEach((input) => show(input, "err", "Не сохранено: нет связи с сервером"));
      say("Нет связи с сервером: изменения не сохранены.", true);
      return;
    }
    try {
      data = await response.json();
    } catch (e) {
      // Not our JSON: a sign-in page after the session ended, a refusal page or an error.
      data = { error: refusal(response) };
    }
    if (response.ok && data.cells) {
      data.cells.forEach((cell, n) => {
        show(inputs[n], "ok", "");
        settle(inputs[n], cell);
        const th = colOf(inputs[n].parentElement);
        if (cell.w && !th.dataset.w) th.dataset.w = cell.w;
      });
      if (comment === undefined && !undoing) {
        history.push(inputs.map((input, n) => [input, before[n]]));
        if (history.length > HISTORY_LIMIT) history.shift();
      }
      if (undoing) say("Отменено.");
      else say(inputs.length > 1 ? `Сохранено ячеек: ${inputs.length}.` : "Сохранено.");
      return;
    }
    // Nothing of the batch was saved: every cell goes back to its saved value.
    const failed = data.index === undefined ? null : inputs[data.index];
    inputs.forEach((input) => {
      input.value = input.defaultValue;
      show(input, input === failed ? "err" : null, input === failed ? data.error : undefined);
    });
    if (failed && response.status === 409 && data.current) {
      settle(failed, data.current);
    }
    if (!failed) inputs.forEach((input) => show(input, "err", data.error || ""));
    const link = data.correctable && (failed || inputs.length === 1) ?
      correctionUrl(failed || inputs[0]) : null;
    say(data.error || "Не сохранено.", true, link);
  }

  // Runs after the saves already queued, so the entry just typed is undone, not the one before.
  function undo() {
    queue = queue.then(() => {
      const entry = history.pop();
      if (!entry) {
        say("Отменять нечего.");
        return null;
      }
      entry.forEach(([input, value]) => { input.value = value; });
      entry[0][0].focus();
      undoing = true;
      return send(entry.map(([input]) => input)).finally(() => { undoing = false; });
    });
  }

  function move(input, rows, cols) {
    const td = input.parentElement;
    let target = null;
    if (rows) {
      let tr = td.parentElement;
      do {
        tr = rows > 0 ? tr.nextElementSibling : tr.previousElementSibling;
        target = inputAt(tr, td.cellIndex);
      } while (tr && !target);
    } else {
      let cell = td;
      do {
        cell = cols > 0 ? cell.nextElementSibling : cell.previousElementSibling;
        target = cell && cell.querySelector("input");
      } while (cell && !target);
    }
    if (target) target.focus();
  }

  // Typed with the wrong keyboard layout: attendance codes come out in Latin letters
  // (y→н, e→у, g→п, j→о, ,→б), and the «.» key gives «ю» in the Russian layout.
  const LATIN = { y: "н", e: "у", g: "п", j: "о", ",": "б", "<": "б" };
  function normalise(input) {
    const kind = colOf(input.parentElement).dataset.k;
    let value = input.value;
    if (kind === "a") {
      value = value.toLowerCase().replace(/[yegj,<]/g, (c) => LATIN[c]).toUpperCase();
    } else if (/^[юЮ/]$/.test(value.trim())) {
      value = ".";
    }
    if (value !== input.value) input.value = value;
  }

  const MOVES = { Enter: [1, 0], ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] };

  table.addEventListener("input", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    normalise(input);
    show(input, null);
  });

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && (event.key === "z" || event.key === "я" ||
        event.code === "KeyZ")) {
      event.preventDefault();
      if (dirty(input)) {
        input.value = input.defaultValue;
        say("Ввод отменён.");
      } else {
        undo();
      }
      return;
    }
    if (event.key === "Escape") {
      input.value = input.defaultValue;
      show(input, null);
      return;
    }
    const step = MOVES[event.key];
    if (!step) return;
    // Left/right move inside a longer entry («оп10», «н/а») until the caret is at its edge.
    if (step[1] && input.value.length > 1 && input.selectionStart === input.selectionEnd) {
      const atEdge = step[1] > 0 ? input.selectionEnd >= input.value.length : input.selectionStart <= 0;
      if (!atEdge) return;
    }
    event.preventDefault();
    save([input]);
    const rows = event.key === "Enter" && event.shiftKey ? -1 : step[0];
    move(input, rows, step[1]);
  });

  table.addEventListener("focusout", (event) => {
    if (event.target.tagName === "INPUT") save([event.target]);
  });

  // Double-click a mark: a comment the student and parents see in the diary.
  table.addEventListener("dblclick", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT" || colOf(input.parentElement).dataset.k !== "m") return;
    if (!input.value.trim()) return;
    const td = input.parentElement;
    const current = td.classList.contains("cm") ? td.title : "";
    const comment = window.prompt("Комментарий к отметке (виден в дневнике):", current);
    if (comment !== null) save([input], comment.trim());
  });

  table.addEventListener("focusin", (event) => {
    if (event.target.tagName === "INPUT") event.target.select();
  });

  // Paste a block from a spreadsheet: rows go down, tab-separated values go right.
  table.addEventListener("paste", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) return;
    event.preventDefault();
    const lines = text.replace(/\r/g, "").replace(/\n+$/, "").split("\n");
    const td = input.parentElement;
    const targets = [];
    let tr = td.parentElement;
    for (const line of lines) {
      if (!tr) break;
      line.split("\t").forEach((value, offset) => {
        const target = inputAt(tr, td.cellIndex + offset);
        if (target) {
          target.value = value.trim();
          targets.push(target);
        }
      });
      tr = tr.nextElementSibling;
    }
    save(targets);
  });

  table.addEventListener("click", (event) => {
    const fill = event.target.closest("button.fill");
    if (fill) {
      const index = heads.indexOf(fill.parentElement) + 1;
      const value = window.prompt("Значение для всех пустых ячеек столбца:");
      if (!value) return;
      const targets = Array.from(table.tBodies[0].rows)
        .map((tr) => inputAt(tr, index))
        .filter((input) => input && !input.value.trim());
      targets.forEach((input) => { input.value = value.trim(); });
      save(targets);
      return;
    }
    // A locked cell opens the correction request for that student.
    const td = event.target.closest("tbody td");
    if (!td || td.querySelector("input") || td.cellIndex < 1) return;
    const th = colOf(td);
    if (th && th.dataset.fix && !td.classList.contains("x")) {
      window.location.href = `${th.dataset.fix}&student=${td.parentElement.dataset.s}`;
    }
  });

  // Open on the current lesson.
  const current = document.getElementById("current");
  const wrap = table.closest(".jwrap");
  if (current && wrap && current.offsetLeft + current.offsetWidth > wrap.clientWidth) {
    const name = table.querySelector("th.jname");
    wrap.scrollLeft = Math.max(0, current.offsetLeft - (name ? name.offsetWidth : 0) - 80);
  }
})();
