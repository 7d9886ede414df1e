// guv dashboard. Plain script, no build, no CDN: uPlot and Graphviz are served by the dashboard.
(() => {
  const $ = (id) => document.getElementById(id);
  const CSRF_KEY = 'guv-dashboard-csrf';
  const MAX_LOG_ROWS = 1000;
  const MAX_POINTS = 600;

  // The CSRF token came in the login answer; it lives in this tab only and goes out as a header.
  let csrf = sessionStorage.getItem(CSRF_KEY);
  let user = null;
  const hosts = new Map(); // name → { ok, error, status, cpu, procs: Map<id, summary> }
  let stream = null; // AbortController of the open event stream
  let focus = null; // { host, id } of the process page
  let page = null; // state of the process page
  const rowsByKey = new Map(); // `${host}\0${id}` → tr of the process list

  // ---- requests -------------------------------------------------------------------------------

  async function call(path, init = {}) {
    const response = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: {
        'x-guv-csrf': csrf ?? '',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    if (response.status === 401) {
      loggedOut();
      throw new Error('logged out');
    }
    if (!response.ok) {
      let message = `${response.status}`;
      try {
        const body = await response.json();
        message = body.error?.message ?? message;
      } catch {}
      throw new Error(message);
    }
    return response;
  }
  const api = (path) => call(path).then((r) => r.json());
  const post = (path, body = {}) =>
    call(path, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
  const enc = encodeURIComponent;

  // Server-Sent Events read with fetch, so the CSRF header goes along (EventSource sends none).
  async function readEvents(path, signal, onMessage) {
    return window.GuvEventStream.read(await call(path, { signal }), onMessage);
  }

  function openStream() {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    const query = focus ? `?host=${enc(focus.host)}&process=${enc(focus.id)}` : '';
    $('connection').textContent = 'connecting…';
    readEvents(`/api/stream${query}`, controller.signal, (event, data) => {
      if (event === 'hello') $('connection').textContent = 'live';
      else if (event === 'batch') applyBatch(data);
    })
      .catch(() => {})
      .finally(() => {
        if (controller.signal.aborted || csrf === null) return;
        $('connection').textContent = 'reconnecting…';
        setTimeout(() => stream === controller && openStream(), 2000);
      });
  }

  // ---- login --------------------------------------------------------------------------------

  async function logIn(event) {
    event.preventDefault();
    $('login-error').textContent = '';
    const response = await fetch('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: $('login-user').value, password: $('login-password').value }),
    });
    $('login-password').value = '';
    if (!response.ok) {
      $('login-error').textContent =
        (await response.text()).trim() || `refused (${response.status})`;
      return;
    }
    const body = await response.json();
    csrf = body.csrf;
    sessionStorage.setItem(CSRF_KEY, csrf);
    await start();
  }

  function loggedOut() {
    csrf = null;
    user = null;
    sessionStorage.removeItem(CSRF_KEY);
    stream?.abort();
    stream = null;
    $('nav').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('connection').textContent = '';
    show('login');
  }

  async function start() {
    if (csrf === null) return loggedOut();
    let me;
    try {
      me = await api('/api/me');
    } catch {
      return;
    }
    user = me.user;
    for (const name of me.hosts)
      if (!hosts.has(name)) hosts.set(name, { ok: null, procs: new Map() });
    $('who').textContent = user;
    $('nav').hidden = false;
    $('logout').hidden = false;
    $('app-host').replaceChildren(...me.hosts.map((name) => new Option(name, name)));
    route();
  }

  // ---- routing ------------------------------------------------------------------------------

  function show(view) {
    for (const el of document.querySelectorAll('.view')) el.hidden = el.id !== `view-${view}`;
    document.body.dataset.view = view;
  }

  function route() {
    if (csrf === null) return loggedOut();
    const [, view, host, id] = location.hash.split('/').map(decodeURIComponent);
    const nextFocus = view === 'process' && host && id ? { host, id } : null;
    const changed = JSON.stringify(nextFocus) !== JSON.stringify(focus);
    focus = nextFocus;
    if (focus) {
      show('process');
      openProcess(focus);
    } else {
      page = null;
      show(view === 'processes' || view === 'apps' ? view : 'hosts');
      if (view === 'apps') loadApps();
    }
    if (changed || !stream) openStream();
    renderAll();
  }

  // ---- live data ----------------------------------------------------------------------------

  function applyBatch(messages) {
    let listChanged = false;
    const logs = [];
    for (const m of messages) {
      const host = hosts.get(m.host);
      if (m.t === 'host' && host) {
        host.ok = m.ok;
        host.error = m.error;
        if (m.status) {
          host.cpu = cpuPercent(host.status?.system, m.status.system) ?? host.cpu;
          host.status = m.status;
        }
      } else if (m.t === 'list' && host) {
        host.procs = new Map(m.list.map((p) => [p.id, p]));
        listChanged = true;
      } else if (m.t === 'proc' && host) {
        const known = host.procs.get(m.id);
        if (known) {
          Object.assign(known, {
            status: m.info.status,
            pid: m.info.pid,
            restarts: m.info.restarts,
          });
          listChanged = true;
        }
        if (page && focus?.host === m.host && focus.id === m.id) onFocusedEvent(m);
      } else if (m.t === 'log') {
        if (page && focus?.host === m.host && focus.id === m.id) logs.push(m);
      } else if (m.t === 'sample') {
        if (page && focus?.host === m.host && focus.id === m.id) addSample(m.sample);
      } else if (m.t === 'output') {
        const out = $('app-output');
        out.textContent += m.chunk;
        out.scrollTop = out.scrollHeight;
      } else if (m.t === 'app') {
        if (document.body.dataset.view === 'apps') loadApps();
      } else if (m.t === 'dropped' && page) {
        $('log-count').title = `${m.count} lines skipped to keep up`;
      }
    }
    if (logs.length > 0) addLogs(logs);
    if (listChanged) renderProcesses();
    renderHosts();
    if (page) renderProcessHeader();
  }

  // Host CPU from two readings of the machine's CPU times.
  function cpuPercent(before, after) {
    if (!before?.cpuTimes || !after?.cpuTimes) return null;
    const total = after.cpuTimes.total - before.cpuTimes.total;
    const idle = after.cpuTimes.idle - before.cpuTimes.idle;
    return total > 0 ? Math.round((1000 * (total - idle)) / total) / 10 : null;
  }

  function renderAll() {
    renderHosts();
    renderProcesses();
  }

  function renderHosts() {
    if (document.body.dataset.view !== 'hosts') return;
    const rows = [];
    for (const [name, h] of hosts) {
      const s = h.status;
      const sys = s?.system;
      const running = [...h.procs.values()].filter((p) => p.status === 'running').length;
      const tr = cells([
        name,
        h.ok === null ? '…' : h.ok ? 'up' : `down: ${h.error ?? ''}`,
        s?.version ?? '',
        h.cpu === undefined ? '' : `${h.cpu} %`,
        sys ? `${bytes(sys.totalmem - sys.freemem)} / ${bytes(sys.totalmem)}` : '',
        sys ? sys.loadavg.map((l) => l.toFixed(2)).join(' ') : '',
        s ? String(s.processes) : '',
        String(running),
        s ? bytes(s.memory.rss) : '',
      ]);
      tr.dataset.host = name;
      tr.children[1].className = h.ok ? 'state-ok' : h.ok === false ? 'state-down' : '';
      rows.push(tr);
    }
    $('host-rows').replaceChildren(...rows);
  }

  function renderProcesses() {
    if (document.body.dataset.view !== 'processes') return;
    const filter = $('process-filter').value.trim().toLowerCase();
    const keep = new Set();
    const ordered = [];
    let count = 0;
    for (const [hostName, h] of hosts) {
      for (const p of h.procs.values()) {
        count++;
        if (filter && !`${hostName} ${p.name}`.toLowerCase().includes(filter)) continue;
        const key = `${hostName}\0${p.id}`;
        keep.add(key);
        let tr = rowsByKey.get(key);
        if (!tr) {
          tr = cells(['', '', '', '', '', '', '', '']);
          tr.dataset.host = hostName;
          tr.dataset.id = p.id;
          tr.addEventListener('click', () => {
            location.hash = `#/process/${enc(hostName)}/${enc(p.id)}`;
          });
          rowsByKey.set(key, tr);
        }
        const values = [
          hostName,
          p.name,
          p.kind === 'cluster' ? `${p.state ?? p.status} (${p.workers?.length ?? 0})` : p.status,
          p.pid ?? '',
          p.cpu === null || p.cpu === undefined ? '' : `${p.cpu.toFixed(1)} %`,
          p.memory ? bytes(p.memory) : '',
          String(p.restarts),
          p.uptime ? duration(p.uptime) : '',
        ];
        values.forEach((v, i) => {
          const text = String(v);
          if (tr.children[i].textContent !== text) tr.children[i].textContent = text;
        });
        tr.dataset.status = p.status;
        tr.children[2].className = `status-${p.status}`;
        ordered.push(tr);
      }
    }
    for (const key of rowsByKey.keys()) if (!keep.has(key)) rowsByKey.delete(key);
    const body = $('process-rows');
    // Only a changed order or set of rows touches the table's structure.
    const same =
      body.children.length === ordered.length && ordered.every((tr, i) => body.children[i] === tr);
    if (!same) body.replaceChildren(...ordered);
    $('process-count').textContent = `(${count})`;
  }

  // ---- the process page ---------------------------------------------------------------------

  async function openProcess(target) {
    if (page && page.host === target.host && page.id === target.id) return;
    const base = `/api/hosts/${enc(target.host)}/processes/${enc(target.id)}`;
    page = {
      ...target,
      base,
      info: null,
      logs: [],
      data: [[], [], [], [], []],
      plots: null,
      view: window.GuvChartView.create({
        host: $('svg-host'),
        rows: $('history-rows'),
        info: $('step-info'),
        api,
      }),
      whyTimer: null,
    };
    const current = page;
    $('process-title').textContent = `${target.host} · ${target.id}`;
    $('log-rows').replaceChildren();
    $('log-count').textContent = '0';
    $('log-count').dataset.count = '0';
    $('svg-host').replaceChildren();
    $('svg-host').dataset.state = '';
    $('why-lines').replaceChildren();
    $('exceptions').replaceChildren();
    $('heap-summary').replaceChildren();
    $('action-result').textContent = '';
    makePlots(current);
    try {
      const [info, why] = await Promise.all([api(base), api(`${base}/why`)]);
      if (page !== current) return;
      current.info = info;
      renderProcessHeader();
      renderWhy(why);
      const cluster = info.kind === 'cluster';
      await current.view.show(
        cluster ? 'cluster' : 'process',
        cluster ? (info.state ?? info.status) : info.status,
        why.history,
        why.lines,
      );
      for (const b of document.querySelectorAll(
        '[data-action="workers"], [data-action="reload"]',
      )) {
        b.hidden = !cluster;
      }
      loadExceptions();
    } catch (error) {
      $('action-result').textContent = error.message;
    }
  }

  function renderProcessHeader() {
    const info = page?.info;
    if (!info) return;
    const live = hosts.get(page.host)?.procs.get(page.id);
    const status = live?.status ?? info.status;
    $('process-title').textContent =
      `${page.host} · ${info.name} · ${status}${info.kind === 'cluster' ? ` · ${live?.workers?.length ?? info.instances} workers` : ''}`;
    $('process-title').dataset.status = status;
  }

  function onFocusedEvent(m) {
    page.view.status(chartStateOf(m), m.event);
    if (page.info) page.info.status = m.info.status;
    if (m.event.endsWith('uncaughtexception')) loadExceptions();
    // The real causes (exit codes, who asked) come from `guv why`, once things settle.
    clearTimeout(page.whyTimer);
    const current = page;
    page.whyTimer = setTimeout(async () => {
      try {
        const why = await api(`${current.base}/why`);
        if (page !== current) return;
        renderWhy(why);
        current.view.setHistory(why.history, why.lines);
      } catch {}
    }, 1500);
  }

  // A cluster's chart has its own states (ready, online, reloading…): its events name them.
  function chartStateOf(m) {
    if (page.info?.kind !== 'cluster') return m.info.status;
    const named = m.event.startsWith('cluster:') ? m.event.slice('cluster:'.length) : null;
    if (named && page.view.has(named)) return named;
    // cluster:resized, worker:…: the cluster's chart stays where it is.
    return page.view.current();
  }

  function renderWhy(why) {
    const lines = why.lines.slice(-10).map((line) => {
      const li = document.createElement('li');
      li.textContent = line;
      return li;
    });
    $('why-lines').replaceChildren(...lines);
  }

  async function loadExceptions() {
    const current = page;
    try {
      const { exceptions } = await api(`${current.base}/exceptions`);
      if (page !== current) return;
      $('exceptions').replaceChildren(
        ...exceptions
          .slice(-20)
          .reverse()
          .map((e) => {
            const div = document.createElement('div');
            div.className = 'exception';
            const title = document.createElement('div');
            title.textContent = `${window.GuvChartView.clock(e.time)} pid ${e.pid ?? '?'}${e.handled ? ' (handled)' : ''}: ${e.error?.name ?? 'Error'}: ${e.error?.message ?? ''}`;
            const pre = document.createElement('pre');
            pre.textContent = e.error?.stack ?? '';
            div.append(title, pre);
            return div;
          }),
      );
      if (exceptions.length === 0) $('exceptions').textContent = 'none';
    } catch {}
  }

  // One DOM update per batch (four a second), whatever the number of lines in it.
  function addLogs(batch) {
    page.logs.push(...batch);
    if (page.logs.length > MAX_LOG_ROWS * 2) page.logs = page.logs.slice(-MAX_LOG_ROWS);
    const count = Number($('log-count').dataset.count) + batch.length;
    $('log-count').dataset.count = String(count);
    $('log-count').textContent = String(count);
    const shown = batch.filter(logMatches).slice(-MAX_LOG_ROWS);
    if (shown.length === 0) return;
    const list = $('log-rows');
    const fragment = document.createDocumentFragment();
    for (const m of shown) fragment.append(logRow(m));
    list.append(fragment);
    let extra = list.childElementCount - MAX_LOG_ROWS;
    while (extra-- > 0) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  function logMatches(m) {
    const level = $('log-level').value;
    const search = $('log-search').value.toLowerCase();
    return (!level || m.level === level) && (!search || m.message.toLowerCase().includes(search));
  }

  function logRow(m) {
    const li = document.createElement('li');
    li.dataset.level = m.level;
    li.textContent = `${window.GuvChartView.clock(m.date)} ${m.source ? `[${m.source}] ` : ''}${m.message}`;
    return li;
  }

  function refilterLogs() {
    if (!page) return;
    const rows = page.logs.filter(logMatches).slice(-MAX_LOG_ROWS).map(logRow);
    $('log-rows').replaceChildren(...rows);
  }

  // ---- charts (uPlot) -----------------------------------------------------------------------

  const SERIES = [
    ['plot-cpu', 1, (v) => `${v.toFixed(1)}%`],
    ['plot-rss', 2, bytes],
    ['plot-heap', 3, bytes],
    ['plot-loop', 4, (v) => `${v.toFixed(1)} ms`],
  ];

  function makePlots(current) {
    current.plots = SERIES.map(([id, , format]) => {
      const el = $(id);
      el.replaceChildren();
      el.dataset.points = '0';
      const width = Math.max(200, el.clientWidth || 300);
      return new window.uPlot(
        {
          width,
          height: 140,
          legend: { show: false },
          scales: { x: { time: true } },
          axes: [
            {},
            { values: (_, ticks) => ticks.map((t) => (t === null ? '' : format(t))), size: 70 },
          ],
          series: [
            {},
            { stroke: '#0277bd', width: 1.5, fill: 'rgba(2,119,189,0.1)', spanGaps: true },
          ],
        },
        [[], []],
        el,
      );
    });
  }

  function addSample(sample) {
    const { data } = page;
    data[0].push(sample.time / 1000);
    data[1].push(sample.cpu);
    data[2].push(sample.rss);
    data[3].push(sample.heap);
    data[4].push(sample.loop);
    if (data[0].length > MAX_POINTS) for (const column of data) column.shift();
    page.plots.forEach((plot, i) => {
      const column = data[SERIES[i][1]];
      plot.setData([data[0], column]);
      const el = $(SERIES[i][0]);
      el.dataset.points = String(data[0].length);
      el.dataset.last = String(column.at(-1) ?? '');
    });
  }

  // ---- actions ------------------------------------------------------------------------------

  async function act(button) {
    if (!page) return;
    const action = button.dataset.action;
    const body = {};
    if (action === 'workers') body.delta = Number(button.dataset.delta);
    if (action === 'signal') body.signal = $('signal-name').value;
    if (action === 'stop' && !confirmed(`stop ${page.id}?`)) return;
    $('action-result').textContent = `${action}…`;
    try {
      const reply = await post(`${page.base}/${action}`, body);
      $('action-result').textContent =
        `${action}: ${reply.outcome?.text ?? reply.status ?? 'done'}`;
      if (action === 'heapdump') renderHeap(reply);
    } catch (error) {
      $('action-result').textContent = `${action}: ${error.message}`;
    }
  }

  function confirmed(question) {
    return document.body.dataset.noConfirm === 'true' || window.confirm(question);
  }

  function renderHeap(reply) {
    const snapshots = reply.workers ?? [reply];
    $('heap-summary').replaceChildren(
      ...snapshots.map((s) => {
        const div = document.createElement('div');
        const title = document.createElement('div');
        title.textContent = `${s.path} · ${s.summary ? `${s.summary.nodeCount} objects, ${bytes(s.summary.totalSelfSize)}` : ''}`;
        div.append(title);
        if (s.summary) {
          const table = document.createElement('table');
          for (const c of s.summary.constructors.slice(0, 15)) {
            table.append(cells([c.name, String(c.count), bytes(c.selfSize ?? c.size ?? 0)]));
          }
          div.append(table);
        }
        return div;
      }),
    );
  }

  // ---- apps ---------------------------------------------------------------------------------

  async function loadApps() {
    const rows = [];
    for (const hostName of hosts.keys()) {
      let apps;
      try {
        apps = await api(`/api/hosts/${enc(hostName)}/apps`);
      } catch {
        continue;
      }
      for (const app of apps) {
        const tr = cells([
          hostName,
          app.name,
          app.state,
          app.ref ?? '',
          (app.commit ?? '').slice(0, 10),
          '',
        ]);
        tr.dataset.host = hostName;
        tr.dataset.app = app.name;
        const tools = tr.lastElementChild;
        const refs = document.createElement('select');
        refs.hidden = true;
        const button = (label, run) => {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = label;
          b.addEventListener('click', run);
          tools.append(b);
          return b;
        };
        button('refs', async () => {
          const { refs: list, current } = await api(
            `/api/hosts/${enc(hostName)}/apps/${enc(app.name)}/refs`,
          );
          refs.replaceChildren(
            ...list.map((r) => new Option(`${r.name}`, r.name, false, r.name === current.ref)),
          );
          refs.hidden = false;
        });
        tools.append(refs);
        button('switch ref', () => appJob(hostName, app.name, 'ref', { ref: refs.value }));
        button('fetch', () => appJob(hostName, app.name, 'update', {}));
        button(
          'remove',
          () =>
            confirmed(`remove ${app.name}?`) &&
            appJob(hostName, app.name, 'remove', { force: true }),
        );
        rows.push(tr);
      }
    }
    $('app-rows').replaceChildren(...rows);
  }

  async function appJob(hostName, app, action, body) {
    $('install-result').textContent = `${action} ${app}…`;
    try {
      await post(`/api/hosts/${enc(hostName)}/apps/${enc(app)}/${action}`, body);
      $('install-result').textContent = `${action} ${app}: done`;
    } catch (error) {
      $('install-result').textContent = `${action} ${app}: ${error.message}`;
    }
    loadApps();
  }

  async function install(event) {
    event.preventDefault();
    const hostName = $('app-host').value;
    $('app-output').textContent = '';
    $('install-result').textContent = 'installing…';
    try {
      const app = await post(`/api/hosts/${enc(hostName)}/apps`, {
        url: $('app-url').value.trim(),
        name: $('app-name').value.trim(),
        ref: $('app-ref').value.trim(),
        job: 'install',
      });
      $('install-result').textContent =
        `installed ${app.name} at ${app.ref ?? ''} ${app.commit.slice(0, 10)}`;
      $('install-result').dataset.done = app.name;
    } catch (error) {
      $('install-result').textContent = `install failed: ${error.message}`;
    }
    loadApps();
  }

  // ---- helpers ------------------------------------------------------------------------------

  function cells(values) {
    const tr = document.createElement('tr');
    for (const value of values) {
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  }

  function bytes(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return '';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }

  function duration(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h`;
    return `${Math.floor(s / 86400)}d`;
  }

  // ---- start --------------------------------------------------------------------------------

  $('login-form').addEventListener('submit', (e) =>
    logIn(e).catch((error) => ($('login-error').textContent = error.message)),
  );
  $('logout').addEventListener('click', async () => {
    try {
      await post('/api/logout');
    } catch {}
    loggedOut();
  });
  $('process-buttons').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (button) act(button);
  });
  $('prev').addEventListener('click', () => page?.view.prev());
  $('next').addEventListener('click', () => page?.view.next());
  $('live').addEventListener('click', () => page?.view.live());
  $('log-level').addEventListener('change', refilterLogs);
  $('log-search').addEventListener('input', refilterLogs);
  $('process-filter').addEventListener('input', renderProcesses);
  $('install-form').addEventListener('submit', install);
  window.addEventListener('hashchange', route);
  start();
})();
