// The journal grid, keyboard first: type a mark («5», «н/а», «.» for the debt dot) or an
// attendance code («н», «б», «уп», «оп10»); Enter/arrows/Tab move, every change is saved
// at once; Ctrl+Z undoes the last saved entry; Esc drops what is being typed.
// Several cells (paste, the ⇣ "fill column" button) go in one all-or-nothing request.
// Column facts live on the header cells (data-k kind, data-l lesson, data-w work,
// data-fix correction form); the row carries data-s (student); the input its data-v.
// A refused cell keeps what was typed, marked and explained beside the pupil's name, until
// the teacher changes, clears or drops (Esc) it; a save answers the rows' new «Ср.».
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

  const dates = [];
  table.querySelectorAll("thead tr:first-child th.jl").forEach((th) => {
    const span = th.colSpan || 1;
    for (let i = 0; i < span; i += 1) dates.push(th.textContent.replace("*", "").trim());
  });
  const pupil = (tr) => (tr.cells[0] ? tr.cells[0].firstChild.textContent.trim() : "");
  // «12.11, Отв» or «12.11, посещаемость»: which cell of the row.
  function place(td) {
    const th = heads[td.cellIndex - 1];
    const what = th ? (th.dataset.k === "a" ? "посещаемость" : th.textContent.trim()) : "";
    return `${dates[td.cellIndex - 1] || ""}, ${what}`;
  }

  // Screen readers (and axe) need a name per cell: student, date, column.
  Array.from(table.tBodies[0].rows).forEach((tr) => {
    const name = pupil(tr);
    Array.from(tr.cells).forEach((td, n) => {
      const input = td.querySelector("input");
      if (!input || n === 0) return;
      input.setAttribute("aria-label", `${name}, ${place(td)}`);
      input.autocomplete = "off";
      input.spellcheck = false;
    });
  });

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

  // Refused cells: input → the value refused, so that moving through the cell does not
  // send it again; the message stands beside the pupil's name until the teacher acts.
  const refused = new Map();

  function refuse(input, message) {
    const td = input.parentElement;
    const tr = td.parentElement;
    const id = `jerr-${tr.dataset.s}-${td.cellIndex}`;
    let note = document.getElementById(id);
    if (!note) {
      note = document.createElement("span");
      note.id = id;
      note.className = "jerr";
      tr.cells[0].append(note);
    }
    note.textContent = `${place(td)}: ${message}`;
    input.setAttribute("aria-describedby", id);
    refused.set(input, input.value.trim());
    show(input, "err");
  }

  function unrefuse(input) {
    if (!refused.delete(input)) return;
    const note = document.getElementById(input.getAttribute("aria-describedby"));
    if (note) note.remove();
    input.removeAttribute("aria-describedby");
    show(input, null);
  }

  // After a save: how many refusals still wait for the teacher.
  function pending() {
    return refused.size ? ` Не принято: ${refused.size} — исправьте отмеченные ячейки.` : "";
  }

  // The row's «Ср.» (with the suggested period mark) and «Долг», as the server counted them.
  function totals(tr, row) {
    if (!tr) return;
    const [avg, debts] = Array.from(tr.cells).slice(-2);
    avg.textContent = row.avg;
    if (row.hint) {
      const hint = document.createElement("small");
      hint.className = "muted";
      hint.title = "Рекомендуемая отметка за период";
      hint.textContent = `→ ${row.hint}`;
      avg.append(" ", hint);
    }
    debts.textContent = row.debts || "";
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
  // A refused value is sent again only once the teacher has changed it.
  const waiting = (input) => refused.has(input) && refused.get(input) === input.value.trim();

  function save(inputs, comment) {
    queue = queue.then(() => send(
      comment === undefined ? inputs.filter((input) => dirty(input) && !waiting(input)) : inputs,
      comment,
    ));
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
    const body = { cells };
    if (table.dataset.from) body.totals = { from: table.dataset.from, to: table.dataset.to };
    inputs.forEach((input) => show(input, "busy"));
    let response;
    let data;
    try {
      response = await fetch(table.dataset.save, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      });
    } catch (e) {
      fail(inputs, null, "Нет связи с сервером: изменения не сохранены.");
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
        unrefuse(inputs[n]);
        show(inputs[n], "ok", "");
        settle(inputs[n], cell);
        const th = colOf(inputs[n].parentElement);
        if (cell.w && !th.dataset.w) th.dataset.w = cell.w;
      });
      Object.entries(data.rows || {}).forEach(([student, row]) => {
        totals(table.querySelector(`tbody tr[data-s="${student}"]`), row);
      });
      if (comment === undefined && !undoing) {
        history.push(inputs.map((input, n) => [input, before[n]]));
        if (history.length > HISTORY_LIMIT) history.shift();
      }
      const done = inputs.length > 1 ? `Сохранено ячеек: ${inputs.length}.` : "Сохранено.";
      say((undoing ? "Отменено." : done) + pending(), refused.size > 0);
      return;
    }
    const failed = data.index === undefined ? null : inputs[data.index];
    if (failed && response.status === 409 && data.current) settle(failed, data.current);
    fail(inputs, failed, data.error || "Не сохранено.", data.correctable);
  }

  // Nothing of the batch was saved. The refused cell keeps what was typed (after a conflict,
  // the value someone else saved) with its message; the rest of a batch goes back to the
  // saved values. Without a cell to blame, every cell of the batch is refused.
  function fail(inputs, failed, message, correctable) {
    const blamed = failed ? [failed] : inputs;
    inputs.forEach((input) => {
      if (blamed.includes(input)) return;
      input.value = input.defaultValue;
      unrefuse(input);
      show(input, null);
    });
    blamed.forEach((input) => refuse(input, message));
    const first = blamed[0];
    const where = blamed.length === 1 ? `${pupil(first.parentElement.parentElement)}, ` +
      `${place(first.parentElement)}: ` : "";
    const rest = inputs.length > 1 ? " Ни одна ячейка из вставленных не сохранена." : "";
    say(where + message + rest, true, correctable && blamed.length === 1 ? correctionUrl(first) : null);
    // The cursor has moved on: bring it back unless the teacher is already typing elsewhere.
    const active = document.activeElement;
    const idle = !active || active === document.body ||
      (active.tagName === "INPUT" && table.contains(active) && !dirty(active));
    if (blamed.length === 1 && active !== first && idle) first.focus();
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
    unrefuse(input);
    show(input, null);
  });

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && (event.key === "z" || event.key === "я" ||
        event.code === "KeyZ")) {
      event.preventDefault();
      if (dirty(input) || refused.has(input)) {
        input.value = input.defaultValue;
        unrefuse(input);
        say(`Ввод отменён.${pending()}`, refused.size > 0);
      } else {
        undo();
      }
      return;
    }
    if (event.key === "Escape") {
      input.value = input.defaultValue;
      unrefuse(input);
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
