// Draws the charts a page describes in its JSON data tag (id "page-data")
// with lightweight-charts (the global LightweightCharts). Plain browser JavaScript, inlined into
// reports and served to the dashboard, so it must run without a build step.
(() => {
  const dataTag = document.getElementById('page-data');
  if (dataTag === null) return;
  const page = JSON.parse(dataTag.textContent || '{}');
  const specs = Array.isArray(page.charts) ? page.charts : [];
  const LC = window.LightweightCharts;
  if (LC === undefined) {
    for (const spec of specs) {
      const el = document.getElementById(`chart-${spec.id}`);
      if (el !== null) el.textContent = 'Charts could not be drawn: the chart library did not load.';
    }
    return;
  }

  const font = getComputedStyle(document.body).fontFamily;
  const percent = (v) => `${v.toFixed(2)} %`;
  const money = (v) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  const baseOptions = (spec) => ({
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#616e7c', fontFamily: font, fontSize: 11 },
    grid: { vertLines: { color: '#f1f3f5' }, horzLines: { color: '#f1f3f5' } },
    rightPriceScale: { borderColor: '#e4e7eb' },
    timeScale: { borderColor: '#e4e7eb', timeVisible: spec.intraday === true, secondsVisible: false },
    crosshair: { mode: 0 },
    localization: { priceFormatter: spec.format === 'percent' ? percent : money },
  });

  const points = (s) => s.t.map((t, i) => ({ time: t, value: s.v[i] }));

  const markerStyle = {
    'entry-long': { position: 'belowBar', color: '#15803d', shape: 'arrowUp', text: 'Buy' },
    'exit-long': { position: 'aboveBar', color: '#b91c1c', shape: 'arrowDown', text: 'Sell' },
    'entry-short': { position: 'aboveBar', color: '#b91c1c', shape: 'arrowDown', text: 'Short' },
    'exit-short': { position: 'belowBar', color: '#15803d', shape: 'arrowUp', text: 'Cover' },
  };

  function addMarkers(series, markers) {
    if (!Array.isArray(markers) || markers.length === 0) return;
    const withText = markers.length <= 40;
    const list = markers.map((m) => {
      const style = markerStyle[m.kind];
      return {
        time: m.t,
        position: style.position,
        color: style.color,
        shape: style.shape,
        text: withText ? style.text : '',
      };
    });
    list.sort((a, b) => a.time - b.time);
    LC.createSeriesMarkers(series, list);
  }

  const charts = new Map();
  let drawn = 0;
  for (const spec of specs) {
    const el = document.getElementById(`chart-${spec.id}`);
    if (el === null) continue;
    const chart = LC.createChart(el, baseOptions(spec));
    if (spec.type === 'candles') {
      const series = chart.addSeries(LC.CandlestickSeries, {
        upColor: '#15803d',
        downColor: '#b91c1c',
        borderVisible: false,
        wickUpColor: '#15803d',
        wickDownColor: '#b91c1c',
      });
      series.setData(
        spec.t.map((t, i) => ({ time: t, open: spec.o[i], high: spec.h[i], low: spec.l[i], close: spec.c[i] })),
      );
      addMarkers(series, spec.markers);
    } else if (spec.type === 'drawdown') {
      const s = spec.series[0];
      const series = chart.addSeries(LC.AreaSeries, {
        lineColor: '#b91c1c',
        topColor: 'rgba(185, 28, 28, 0.05)',
        bottomColor: 'rgba(185, 28, 28, 0.35)',
        lineWidth: 1,
        invertFilledArea: true,
        priceLineVisible: false,
      });
      series.setData(points(s));
    } else {
      spec.series.forEach((s, index) => {
        const series = chart.addSeries(LC.LineSeries, {
          color: s.color,
          lineWidth: 2,
          priceLineVisible: false,
          lastValueVisible: spec.series.length === 1,
          title: spec.series.length > 1 ? '' : '',
        });
        series.setData(points(s));
        if (index === 0) addMarkers(series, spec.markers);
      });
    }
    chart.timeScale().fitContent();
    charts.set(spec.id, { chart, spec });
    drawn++;
  }

  // Charts in one sync group (equity and its drawdown) scroll and zoom together.
  const groups = new Map();
  for (const { chart, spec } of charts.values()) {
    if (typeof spec.sync !== 'string') continue;
    if (!groups.has(spec.sync)) groups.set(spec.sync, []);
    groups.get(spec.sync).push(chart);
  }
  for (const members of groups.values()) {
    let syncing = false;
    for (const source of members) {
      source.timeScale().subscribeVisibleLogicalRangeChange((range) => {
        if (syncing || range === null) return;
        syncing = true;
        for (const target of members) if (target !== source) target.timeScale().setVisibleLogicalRange(range);
        syncing = false;
      });
    }
  }
  document.documentElement.dataset.chartsDrawn = String(drawn);
})();
