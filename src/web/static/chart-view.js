// The statechart view, one file for `guv ui` (app.js) and the `guv web` dashboard (dashboard.js):
// a chart drawn by Graphviz in WASM (or the SVG a recording carries), states and edges lit, the
// history's rows and cursor. `create` is the dashboard's view of one process: the dashboard
// knows statuses (bus events, `guv why`), not raw chart states, so it lights the state named
// after the status, as the viewer does when it steps back through history.
(() => {
  const pictures = new Map(); // chart → Promise<{ graph, dot }>

  function loadPicture(chart, api) {
    let entry = pictures.get(chart);
    if (!entry) {
      entry = api(`/api/graph/${chart}`);
      entry.catch(() => pictures.delete(chart));
      pictures.set(chart, entry);
    }
    return entry;
  }

  async function toChart(picture) {
    let svg;
    if (picture.svg) {
      const holder = document.createElement('div');
      holder.innerHTML = picture.svg;
      svg = holder.querySelector('svg');
    } else {
      const viz = await window.Viz.instance();
      svg = viz.renderSVGElement(picture.dot);
    }
    const elements = new Map();
    for (const el of svg.querySelectorAll('[id]')) elements.set(el.id, el);
    const byName = new Map();
    for (const node of picture.graph.nodes) {
      for (const name of [node.id, node.path.join('.'), node.key]) {
        if (!byName.has(name)) byName.set(name, node);
      }
    }
    return { graph: picture.graph, svg, elements, byName };
  }

  // The edge a past transition took: from the old state (or an ancestor) to the new one (or an
  // ancestor, when the target was a compound state entered through its initial child).
  function edgeBetween(graph, from, to, cause) {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const up = (node) => {
      const ids = [];
      for (let n = node; n; n = n.parent ? byId.get(n.parent) : null) ids.push(n.id);
      return ids;
    };
    const sources = up(from);
    const targets = up(to);
    const candidates = graph.edges.filter(
      (e) => sources.includes(e.source) && targets.includes(e.target),
    );
    const event = cause?.event ?? '';
    const named = candidates.find(
      (e) => e.event === event || (e.kind === 'after' && event === `after:${e.delay}`),
    );
    return (named ?? candidates[0])?.id;
  }

  /** The edge of a history entry (`from`, `to`: state names) as a list of zero or one id. */
  function edgeOf(chart, entry) {
    const to = chart?.byName.get(entry.to);
    const from = chart?.byName.get(entry.from);
    return to && from ? [edgeBetween(chart.graph, from, to, entry.cause)].filter(Boolean) : [];
  }

  /** `light(elements, stateIds, edgeIds, past)`: what the last call lit goes out first. */
  function lighter() {
    let lit = [];
    return (elements, stateIds, edgeIds, past = false) => {
      for (const el of lit) el.classList.remove('active', 'past', 'taken');
      lit = [];
      if (!elements) return;
      const mark = (el, cls) => {
        if (!el) return;
        el.classList.add(cls);
        lit.push(el);
      };
      for (const id of stateIds) mark(elements.get(`state:${id}`), past ? 'past' : 'active');
      for (const id of edgeIds) mark(elements.get(`edge:${id}`), 'taken');
    };
  }

  /** A history row: time, from, to, cause; a click steps to it. */
  function historyRow(entry, cause, onClick) {
    const tr = document.createElement('tr');
    for (const text of [clock(entry.time), entry.from, entry.to, cause]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tr.addEventListener('click', onClick);
    return tr;
  }

  /** Marks the row at `cursor` (null: live, none) and says where stepping stands. */
  function paintCursor(rows, info, cursor, total) {
    for (let i = 0; i < rows.children.length; i++) {
      rows.children[i].classList.toggle('current', i === cursor);
    }
    info.textContent = cursor === null ? 'live' : `${cursor + 1} / ${total}`;
    info.dataset.cursor = cursor === null ? 'live' : String(cursor);
  }

  /** A view bound to its elements: host (svg), rows (history tbody), info (step label). */
  function create({ host, rows, info, api }) {
    let chart = null;
    let history = [];
    let status = null;
    let cursor = null;
    const lightUp = lighter();

    function light(name, edgeIds, past) {
      const node = chart?.byName.get(name);
      lightUp(chart?.elements, node ? [node.id] : [], edgeIds, past);
      if (chart) host.dataset.state = name ?? '';
    }

    /** `restarting at 03:12:07 after exit code 1; …` → `after exit code 1; …`. */
    function causeWords(line) {
      return line.replace(/^\S+ at \d{2}:\d{2}:\d{2}(?:\.\d+)? /, '');
    }

    function row(entry, index) {
      return historyRow(entry, entry.words ?? describeCause(entry.cause), () => step(index));
    }

    function paint() {
      paintCursor(rows, info, cursor, history.length);
    }

    function step(index) {
      if (history.length === 0) return;
      cursor = Math.max(0, Math.min(history.length - 1, index));
      const entry = history[cursor];
      light(entry.to, edgeOf(chart, entry), true);
      paint();
    }

    function live() {
      cursor = null;
      paint();
      light(status, []);
    }

    return {
      async show(chartName, initialStatus, entries, lines) {
        chart = await toChart(await loadPicture(chartName, api));
        host.replaceChildren(chart.svg);
        this.setHistory(entries, lines);
        status = initialStatus;
        live();
      },
      /** `lines`: guv why's sentence for each entry, whose cause (in words) the table shows. */
      setHistory(entries, lines = []) {
        const kept = Math.min(entries.length, 200);
        history = entries.slice(-kept).map((entry, i) => {
          const line =
            lines.length === entries.length ? lines[entries.length - kept + i] : undefined;
          return line === undefined ? entry : { ...entry, words: causeWords(line) };
        });
        rows.replaceChildren(...history.map(row));
        paint();
      },
      /** A new status from the live stream: lit at once; the history row follows from `why`. */
      status(next, event) {
        if (next === status) return;
        const entry = { time: Date.now(), from: status, to: next, cause: { event } };
        history.push(entry);
        rows.append(row(entry, history.length - 1));
        status = next;
        if (cursor === null) light(next, edgeOf(chart, entry));
        paint();
      },
      has(name) {
        return chart?.byName.has(name) ?? false;
      },
      current() {
        return status;
      },
      prev() {
        step(cursor === null ? history.length - 2 : cursor - 1);
      },
      next() {
        if (cursor === null) return;
        if (cursor >= history.length - 1) live();
        else step(cursor + 1);
      },
      live,
    };
  }

  function describeCause(cause) {
    if (!cause) return '';
    const parts = [cause.event];
    if (cause.by) parts.push(`by ${cause.by}`);
    if (cause.code !== undefined && cause.code !== null) parts.push(`code ${cause.code}`);
    if (cause.signal) parts.push(`signal ${cause.signal}`);
    if (cause.error) parts.push(cause.error);
    if (cause.delayMs !== undefined) parts.push(`next in ${cause.delayMs} ms`);
    return parts.join(' · ');
  }

  function clock(time) {
    const d = new Date(time);
    return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  }

  window.GuvChartView = {
    create,
    toChart,
    edgeOf,
    lighter,
    historyRow,
    paintCursor,
    describeCause,
    clock,
  };
})();
