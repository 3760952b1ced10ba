// The ops dashboard's browser script: reads /admin/api/dashboard (session cookie) every 30 s and
// draws uPlot charts (window.uPlot, served from node_modules). Plain ES2020, no build step.
'use strict';
(function () {
  const COLORS = ['#2271b1', '#d63638', '#00a32a', '#dba617', '#8c5fc7', '#e26f56', '#3858e9', '#1d2327'];
  const app = document.getElementById('app');
  const charts = [];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of [].concat(children === undefined || children === null ? [] : children))
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }
  function table(headers, rows) {
    return el('table', {}, [
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headers.map((h) => el('th', { class: h.num ? 'num' : '' }, h.label || h)),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map((r) =>
          el(
            'tr',
            {},
            r.map((c, i) => el('td', { class: headers[i] && headers[i].num ? 'num' : '' }, c == null ? '—' : c)),
          ),
        ),
      ),
    ]);
  }
  function ago(seconds) {
    if (seconds == null) return '—';
    if (seconds < 120) return Math.round(seconds) + ' s';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min';
    return (seconds / 3600).toFixed(1) + ' h';
  }
  function section(title, content, cls) {
    return el('section', { class: cls || '' }, [el('h2', {}, title)].concat(content));
  }

  // One chart: x = time axis, one series per flow (or per flow and quantile).
  function chart(container, title, axis, series, unit) {
    const box = el('div', { class: 'chart' }, [el('h3', {}, title)]);
    container.append(box);
    if (!axis.length || !series.length) {
      box.append(el('p', { class: 'muted' }, 'no data yet'));
      return;
    }
    const width = Math.max(320, Math.min(760, box.clientWidth || 420));
    const opts = {
      width,
      height: 200,
      // Sparse series (a few minutes with data) show their points, or a lone value would be invisible.
      series: [{}].concat(
        series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          dash: s.dash,
          spanGaps: true,
          points: { show: s.data.filter((v) => v != null && v !== 0).length < 5, size: 6, fill: COLORS[i % COLORS.length] },
          value: (u, v) => (v == null ? '—' : v.toFixed(unit === '%' ? 1 : 3) + unit),
        })),
      ),
      axes: [{}, { size: 60, values: (u, vals) => vals.map((v) => v + unit) }],
      scales: { x: { time: true } },
    };
    charts.push(new uPlot(opts, [axis].concat(series.map((s) => s.data)), box));
  }

  function flowCharts(container, data, key, axis, label) {
    const flows = data.flows.filter((f) => f[key] && f[key].points.some((p) => p.completed + p.failed > 0));
    const grid = el('div', { class: 'charts' });
    container.append(el('h2', {}, label), grid);
    chart(
      grid,
      'Throughput (jobs completed per minute)',
      axis,
      flows.map((f) => ({ label: f.queue, data: f[key].points.map((p) => p.throughput) })),
      '',
    );
    chart(
      grid,
      'Error rate (failed attempts %)',
      axis,
      flows.map((f) => ({ label: f.queue, data: f[key].points.map((p) => (p.errorRate == null ? null : p.errorRate * 100)) })),
      '%',
    );
    chart(
      grid,
      'Attempt duration p50 / p95 (s)',
      axis,
      flows.flatMap((f) => [
        { label: f.queue + ' p50', data: f[key].points.map((p) => p.p50) },
        { label: f.queue + ' p95', data: f[key].points.map((p) => p.p95), dash: [6, 4] },
      ]),
      's',
    );
    chart(
      grid,
      'End-to-end latency p50 / p95 (s)',
      axis,
      flows.flatMap((f) => [
        { label: f.queue + ' p50', data: f[key].points.map((p) => p.latencyP50) },
        { label: f.queue + ' p95', data: f[key].points.map((p) => p.latencyP95), dash: [6, 4] },
      ]),
      's',
    );
  }

  function render(data) {
    for (const c of charts.splice(0)) c.destroy();
    app.replaceChildren();
    document.getElementById('updated').textContent = data.shop + ' · updated ' + new Date(data.generatedAt).toLocaleTimeString();
    if (data.alerts.length) {
      app.append(
        section(
          'Active alerts',
          table(
            ['Alert', 'Since'],
            data.alerts.map((a) => [a.summary, new Date(a.since).toLocaleString()]),
          ),
          'alert',
        ),
      );
    }
    app.append(
      section(
        'Flows',
        table(
          [
            'Flow',
            { label: 'Queued', num: true },
            { label: 'Running', num: true },
            { label: 'DLQ', num: true },
            { label: 'Blocked keys', num: true },
            { label: 'Done (1 h)', num: true },
            { label: 'Failed (1 h)', num: true },
          ],
          data.flows.map((f) => [
            f.queue,
            f.stats ? f.stats.queued : null,
            f.stats ? f.stats.active : null,
            f.stats ? el('span', { class: f.stats.dlq ? 'bad' : '' }, f.stats.dlq) : null,
            f.stats ? f.stats.blockedKeys : null,
            f.hour ? f.hour.totals.completed : 0,
            f.hour ? f.hour.totals.failed : 0,
          ]),
        ),
      ),
    );
    const charts1 = el('section', { id: 'charts-hour' });
    const charts2 = el('section', { id: 'charts-day' });
    app.append(charts1, charts2);
    flowCharts(charts1, data, 'hour', data.hourAxis, 'Last hour (per minute)');
    flowCharts(charts2, data, 'day', data.dayAxis, 'Last day (per 15 minutes)');

    app.append(
      section(
        'Dead-letter queues',
        data.deadLetters.length
          ? data.deadLetters.map((d) =>
              el('div', {}, [
                el('h3', {}, d.queue + ' — ' + d.size + ' entries (newest first)'),
                table(
                  ['When', 'Key', 'Kind', 'Reason', 'Correlation id'],
                  d.newest.map((e) => [new Date(e.deadLetteredAt).toLocaleString(), e.key, e.kind, e.reason, e.correlationId]),
                ),
              ]),
            )
          : el('p', { class: 'ok' }, 'empty'),
      ),
      section(
        'Blocked keys',
        data.blocked.length
          ? table(
              ['Flow', { label: 'Count', num: true }, 'Keys'],
              data.blocked.map((b) => [b.queue, b.count, b.keys.join(', ')]),
            )
          : el('p', { class: 'ok' }, 'none'),
      ),
      section('Odoo outbox lag', el('p', {}, data.outbox.lagSeconds == null ? 'not pulled yet' : ago(data.outbox.lagSeconds))),
      section(
        'Webhook freshness',
        data.webhooks.length
          ? table(
              ['Topic', 'Last delivery', { label: 'Age', num: true }, { label: 'Last 24 h', num: true }],
              data.webhooks.map((w) => [w.topic, new Date(w.lastReceivedAt).toLocaleString(), ago(w.ageSeconds), w.count24h]),
            )
          : el('p', { class: 'muted' }, 'no webhook received yet'),
      ),
      section(
        'Shopify API budget',
        table(
          ['Available', 'Maximum', 'Restore /s', 'Throttle waits', 'Waited (s)', 'THROTTLED answers', 'Deprecation notices'],
          [
            [
              data.budget.available,
              data.budget.maximum,
              data.budget.restoreRate,
              data.budget.throttleWaits,
              data.budget.throttleWaitSeconds.toFixed(1),
              data.budget.throttledResponses,
              data.deprecations.total,
            ],
          ],
        ),
      ),
      section(
        'Reports',
        table(
          ['Report', 'Latest'],
          ['reconciliation', 'integrity'].map((k) => [
            k,
            data.reports[k]
              ? new Date(data.reports[k].createdAt).toLocaleString() + ' — ' + JSON.stringify(data.reports[k].summary)
              : 'no report yet',
          ]),
        ),
      ),
    );
    document.body.dataset.loaded = 'true';
  }

  async function load() {
    try {
      const response = await fetch('/admin/api/dashboard', { credentials: 'same-origin' });
      if (response.status === 401) {
        location.reload();
        return;
      }
      render(await response.json());
    } catch (error) {
      app.prepend(el('p', { class: 'error' }, 'Could not load: ' + error));
    }
  }
  load();
  setInterval(load, 30000);
})();
