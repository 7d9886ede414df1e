// The statechart view of `guv ui` (src/web/static/app.js), for one process of the dashboard:
// the chart drawn once by Graphviz in WASM, the current status lit, its history stepped through.
// The dashboard knows statuses (bus events, `guv why`), not raw chart states, so it lights the
// state named after the status, as the viewer does when it steps back through history.
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

  async function render(picture) {
    const viz = await window.Viz.instance();
    const svg = viz.renderSVGElement(picture.dot);
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

  // The edge a past transition took: from the old state (or an ancestor) to the new one.
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

  /** A view bound to its elements: host (svg), rows (history tbody), info (step label). */
  function create({ host, rows, info, api }) {
    let chart = null;
    let history = [];
    let status = null;
    let cursor = null;
    let lit = [];

    function light(name, edgeIds, past) {
      for (const el of lit) el.classList.remove('active', 'past', 'taken');
      lit = [];
      if (!chart) return;
      const node = chart.byName.get(name);
      const mark = (el, cls) => {
        if (!el) return;
        el.classList.add(cls);
        lit.push(el);
      };
      if (node) mark(chart.elements.get(`state:${node.id}`), past ? 'past' : 'active');
      for (const id of edgeIds) mark(chart.elements.get(`edge:${id}`), 'taken');
      host.dataset.state = name ?? '';
    }

    function edgeOf(entry) {
      const to = chart?.byName.get(entry.to);
      const from = chart?.byName.get(entry.from);
      return to && from ? [edgeBetween(chart.graph, from, to, entry.cause)].filter(Boolean) : [];
    }

    function row(entry, index) {
      const tr = document.createElement('tr');
      for (const text of [clock(entry.time), entry.from, entry.to, describeCause(entry.cause)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      tr.addEventListener('click', () => step(index));
      return tr;
    }

    function paintCursor() {
      for (let i = 0; i < rows.children.length; i++) {
        rows.children[i].classList.toggle('current', i === cursor);
      }
      info.textContent = cursor === null ? 'live' : `${cursor + 1} / ${history.length}`;
      info.dataset.cursor = cursor === null ? 'live' : String(cursor);
    }

    function step(index) {
      if (history.length === 0) return;
      cursor = Math.max(0, Math.min(history.length - 1, index));
      const entry = history[cursor];
      light(entry.to, edgeOf(entry), true);
      paintCursor();
    }

    function live() {
      cursor = null;
      paintCursor();
      light(status, []);
    }

    return {
      async show(chartName, initialStatus, entries) {
        chart = await render(await loadPicture(chartName, api));
        host.replaceChildren(chart.svg);
        this.setHistory(entries);
        status = initialStatus;
        live();
      },
      setHistory(entries) {
        history = entries.slice(-200);
        rows.replaceChildren(...history.map(row));
        paintCursor();
      },
      /** A new status from the live stream: lit at once; the history row follows from `why`. */
      status(next, event) {
        if (next === status) return;
        const entry = { time: Date.now(), from: status, to: next, cause: { event } };
        history.push(entry);
        rows.append(row(entry, history.length - 1));
        status = next;
        if (cursor === null) light(next, edgeOf(entry));
        paintCursor();
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

  window.GuvChartView = { create, clock };
})();
