// guv statechart visualiser. Plain script (no build, no CDN) so the same file runs served by
// the daemon and inlined into a recorded HTML file (window.__GUV_RECORDING__).
(() => {
  const MAX_EVENT_ROWS = 500;
  const recording = window.__GUV_RECORDING__ ?? null;
  const $ = (id) => document.getElementById(id);
  const chartView = window.GuvChartView; // chart-view.js, shared with the `guv web` dashboard

  const actors = new Map(); // id → { view, li }
  const charts = new Map(); // chart → Promise<{ graph, svg, elements: Map<string, Element>, byName }>
  let selected = null; // { id, detail, chart }
  let loading = null; // { id, updates }: transitions of the actor being selected, until it is
  let cursor = null; // index into selected.detail.history while stepping back, else null (live)
  const lightUp = chartView.lighter();
  let eventCount = 0;
  let pendingEvents = [];
  let pendingUpdates = [];
  let dirtyList = false;
  let scheduled = false;

  // ---- data sources -------------------------------------------------------------------------

  // The session lives in this tab (sessionStorage is per origin, port included), goes out only
  // as a header to this page's own server, and never as a cookie: browsers send a host's
  // cookies to every port of it, so to every other local service.
  const SESSION_KEY = 'guv-session';
  let session = null;

  async function signIn() {
    const code = new URLSearchParams(location.hash.slice(1)).get('code');
    if (code) {
      // A login code is good once: out of the address bar and the history at once.
      history.replaceState(null, '', location.pathname);
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'x-guv-login': code },
        credentials: 'omit',
      });
      if (response.ok) {
        session = (await response.json()).session;
        sessionStorage.setItem(SESSION_KEY, session);
        return true;
      }
    }
    session = sessionStorage.getItem(SESSION_KEY);
    return session !== null;
  }

  function signedOut() {
    session = null;
    sessionStorage.removeItem(SESSION_KEY);
    connect.controller?.abort();
    $('connection').textContent = 'signed out: run guv ui for a new link';
    $('connection').dataset.signedOut = 'true';
  }

  async function authorized(path, init = {}) {
    if (session === null) throw new Error(`${path}: signed out`);
    const response = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${session}` },
      credentials: 'omit',
    });
    if (response.status === 401) {
      signedOut();
      throw new Error(`${path}: signed out`);
    }
    return response;
  }

  const api = (path) =>
    authorized(path).then((r) => {
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return r.json();
    });

  // Server-Sent Events read with fetch: EventSource cannot send an Authorization header.
  async function readEvents(path, signal, onMessage) {
    const response = await authorized(path, { signal });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return window.GuvEventStream.read(response, onMessage);
  }

  function loadChart(chart) {
    let entry = charts.get(chart);
    if (!entry) {
      entry = (
        recording ? Promise.resolve(recording.graphs[chart]) : api(`/api/graph/${chart}`)
      ).then(chartView.toChart);
      charts.set(chart, entry);
    }
    return entry;
  }

  function connect(pattern) {
    if (recording) return;
    connect.controller?.abort();
    if (session === null) return signedOut();
    const controller = new AbortController();
    connect.controller = controller;
    const query = pattern ? `?pattern=${encodeURIComponent(pattern)}` : '';
    let ready = false;
    const early = [];
    const queueUpdate = (update) => {
      if (ready) pendingUpdates.push(update);
      else early.push(update);
      schedule();
    };
    const handlers = {
      hello() {
        $('connection').textContent = 'live';
        api('/api/actors').then((list) => {
          setActors(list);
          ready = true;
          pendingUpdates.push(...early.splice(0));
          schedule();
        });
      },
      transition: queueUpdate,
      tracked: queueUpdate,
      untracked: queueUpdate,
      bus(event) {
        pendingEvents.push(event);
        eventCount++;
        schedule();
      },
      dropped({ count }) {
        pendingEvents.push({ type: 'guv:dropped', args: [count], time: Date.now() });
        schedule();
      },
    };
    readEvents(`/api/events${query}`, controller.signal, (event, data) => handlers[event]?.(data))
      .catch(() => {})
      .finally(() => {
        if (controller.signal.aborted || session === null) return;
        $('connection').textContent = 'reconnecting…';
        setTimeout(() => {
          if (connect.controller === controller) connect(pattern);
        }, 2000);
      });
  }

  // ---- actor list ---------------------------------------------------------------------------

  function setActors(list) {
    const keep = new Set(list.map((view) => view.id));
    for (const id of actors.keys()) if (!keep.has(id)) actors.delete(id);
    for (const view of list) actors.set(view.id, { view, li: actors.get(view.id)?.li ?? null });
    dirtyList = true;
    schedule();
  }

  function renderList() {
    const list = $('actor-list');
    const order = { daemon: 0, app: 1, process: 2, cluster: 2, worker: 2 };
    const roots = [...actors.values()]
      .filter((a) => !a.view.parentId || !actors.has(a.view.parentId))
      .sort(
        (a, b) => order[a.view.kind] - order[b.view.kind] || a.view.name.localeCompare(b.view.name),
      );
    const fragment = document.createDocumentFragment();
    const add = (actor, child) => {
      actor.li ??= makeItem(actor.view);
      actor.li.classList.toggle('child', child);
      paintItem(actor);
      fragment.append(actor.li);
      for (const other of actors.values())
        if (other.view.parentId === actor.view.id) add(other, true);
    };
    for (const actor of roots) add(actor, false);
    list.replaceChildren(fragment);
    $('actor-count').textContent = `(${actors.size})`;
  }

  function makeItem(view) {
    const li = document.createElement('li');
    li.dataset.id = view.id;
    li.innerHTML = '<span class="name"></span><span class="status"></span>';
    li.querySelector('.name').textContent =
      `${view.kind === 'worker' ? '' : `${view.kind} `}${view.name}`;
    li.addEventListener('click', () => select(view.id));
    return li;
  }

  function paintItem(actor) {
    const status = actor.li.querySelector('.status');
    status.textContent = actor.view.status;
    status.className = `status status-${actor.view.status}`;
    actor.li.dataset.status = actor.view.status;
    actor.li.classList.toggle('selected', selected?.id === actor.view.id);
  }

  // ---- the selected chart -------------------------------------------------------------------

  async function select(id) {
    const actor = actors.get(id);
    if (!actor) return;
    const pending = { id, updates: [] };
    loading = pending;
    const detail = recording
      ? recording.actors.find((a) => a.id === id)
      : await api(`/api/actors/${encodeURIComponent(id)}`);
    const chart = await loadChart(detail.chart);
    if (loading !== pending) return; // another actor was clicked meanwhile
    loading = null;
    // Transitions that streamed in while the detail was on its way, newer than it: not lost.
    for (const update of pending.updates) if (!isStale(detail, update)) addToDetail(detail, update);
    selected = { id, detail, chart };
    cursor = null;
    for (const a of actors.values()) if (a.li) a.li.classList.toggle('selected', a.view.id === id);
    $('chart-title').textContent = `${detail.kind} ${detail.name}`;
    $('svg-host').replaceChildren(chart.svg);
    renderHistory();
    light(detail.state, []);
  }

  function light(stateIds, edgeIds, past = false) {
    lightUp(selected.chart.elements, stateIds, edgeIds, past);
    $('svg-host').dataset.state = stateIds.join(' ');
    $('svg-host').dataset.edges = edgeIds.join(' ');
  }

  // ---- history ------------------------------------------------------------------------------

  function renderHistory() {
    const rows = selected.detail.history.map(historyRow);
    $('history-rows').replaceChildren(...rows);
    paintCursor();
  }

  function historyRow(entry, index) {
    return chartView.historyRow(entry, chartView.describeCause(entry.cause), () => step(index));
  }

  function step(index) {
    const history = selected?.detail.history ?? [];
    if (history.length === 0) return;
    cursor = Math.max(0, Math.min(history.length - 1, index));
    const entry = history[cursor];
    const to = selected.chart.byName.get(entry.to);
    light(to ? [to.id] : [], chartView.edgeOf(selected.chart, entry), true);
    paintCursor();
  }

  function live() {
    cursor = null;
    paintCursor();
    if (selected) light(selected.detail.state, []);
  }

  function paintCursor() {
    const total = selected?.detail.history.length ?? 0;
    chartView.paintCursor($('history-rows'), $('step-info'), cursor, total);
  }

  // ---- batched DOM updates, once per frame --------------------------------------------------

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(flush);
  }

  function flush() {
    scheduled = false;
    const updates = pendingUpdates;
    pendingUpdates = [];
    const changed = new Set();
    let selectedUpdate = null;
    const taken = new Set();
    for (const update of updates) {
      if (update.type === 'tracked') {
        actors.set(update.actor.id, { view: update.actor, li: null });
        dirtyList = true;
      } else if (update.type === 'untracked') {
        actors.delete(update.id);
        dirtyList = true;
      } else {
        const actor = actors.get(update.id);
        if (!actor) continue;
        actor.view = { ...actor.view, state: update.state, status: update.to };
        changed.add(actor);
        if (loading?.id === update.id) loading.updates.push(update);
        if (selected?.id === update.id && !isStale(selected.detail, update)) {
          appendHistory(update);
          selectedUpdate = update;
          for (const edge of update.edges) taken.add(edge);
        }
      }
    }
    // Several transitions inside one frame: light where it ended, mark every edge it took.
    if (selectedUpdate && cursor === null) light(selectedUpdate.state, [...taken]);
    if (selectedUpdate) paintCursor();
    if (dirtyList) {
      dirtyList = false;
      renderList();
    } else for (const actor of changed) if (actor.li) paintItem(actor);
    flushEvents();
  }

  function appendHistory(update) {
    const { detail } = selected;
    addToDetail(detail, update);
    $('history-rows').append(historyRow(detail.history.at(-1), detail.history.length - 1));
  }

  function addToDetail(detail, update) {
    detail.state = update.state;
    detail.status = update.to;
    detail.history.push({
      time: update.time,
      from: update.from,
      to: update.to,
      cause: update.cause,
    });
  }

  // A transition the fetched detail already holds (or predates): it was still on its way.
  function isStale(detail, update) {
    const last = detail.history.at(-1);
    if (!last) return false;
    if (update.time < last.time) return true;
    return detail.history.some((h) => h.time === update.time && h.to === update.to);
  }

  function flushEvents() {
    $('event-count').textContent = String(eventCount);
    $('event-count').dataset.count = String(eventCount);
    if (pendingEvents.length === 0) return;
    const events = pendingEvents.slice(-MAX_EVENT_ROWS);
    pendingEvents = [];
    const list = $('event-rows');
    const fragment = document.createDocumentFragment();
    for (const event of events) {
      const li = document.createElement('li');
      li.textContent = `${event.time ? `${chartView.clock(event.time)} ` : ''}${event.type} ${summarise(event.args)}`;
      fragment.append(li);
    }
    list.append(fragment);
    let extra = list.childElementCount - MAX_EVENT_ROWS;
    while (extra-- > 0) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  function summarise(args) {
    return (args ?? [])
      .map((arg) => {
        if (arg === null || typeof arg !== 'object') return String(arg);
        return arg.name ?? arg.id ?? arg.message ?? '';
      })
      .filter((text) => text !== '')
      .join(' ');
  }

  // ---- start --------------------------------------------------------------------------------

  $('prev').addEventListener('click', () => {
    const last = (selected?.detail.history.length ?? 0) - 1;
    step(cursor === null ? last - 1 : cursor - 1);
  });
  $('next').addEventListener('click', () => {
    if (cursor === null) return;
    if (cursor >= selected.detail.history.length - 1) live();
    else step(cursor + 1);
  });
  $('live').addEventListener('click', live);
  $('pattern-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('event-rows').replaceChildren();
    eventCount = 0;
    connect($('pattern').value.trim());
  });

  if (recording) {
    $('connection').textContent = 'recorded';
    $('events').hidden = !recording.events?.length;
    setActors(recording.actors);
    pendingEvents.push(...(recording.events ?? []));
    eventCount = pendingEvents.length;
    renderList();
    select(recording.actors[0].id);
  } else {
    signIn().then(
      (signedIn) => (signedIn ? connect($('pattern').value.trim()) : signedOut()),
      signedOut,
    );
  }
})();
