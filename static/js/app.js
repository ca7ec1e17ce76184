// Kartoteka page glue: DataTables on list tables, the live stream, modals.
(function () {
  'use strict';
  // DataTables in plain Russian, numbers grouped as everywhere else («12 345»).
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0'); }
  // «Показаны 1–25 из 140», «Запись 3 из 3»; a search adds «(отобраны из 140)».
  function info(settings, start, end, max, total) {
    if (!total) return max ? 'Ничего не найдено (всего ' + num(max) + ')' : '';
    var s = start === end ? 'Запись ' + num(start) + ' из ' + num(total) : 'Показаны ' + num(start) + '–' + num(end) + ' из ' + num(total);
    return max && max !== total ? s + ' (отобраны из ' + num(max) + ')' : s;
  }
  var ru = {
    decimal: ',', thousands: '\u00a0',
    emptyTable: 'Записей нет', zeroRecords: 'Ничего не найдено',
    info: 'Показаны _START_–_END_ из _TOTAL_', infoEmpty: '', infoFiltered: '(отобраны из _MAX_)',
    lengthMenu: 'Показывать по _MENU_', search: 'Поиск:', searchPlaceholder: '',
    loadingRecords: 'Загрузка…', processing: 'Загрузка…',
    aria: {
      orderable: 'Сортировать', orderableReverse: 'Сортировать в обратном порядке', orderableRemove: 'Убрать сортировку',
      paginate: { first: 'Первая страница', previous: 'Предыдущая страница', next: 'Следующая страница', last: 'Последняя страница', number: '' }
    }
  };
  window.KInfo = info;

  // DataTables for tables marked data-datatable (small lists searched in the browser).
  function initTables(root) {
    (root || document).querySelectorAll('table[data-datatable]').forEach(function (t) {
      if (t.dataset.dtInit) return;
      t.dataset.dtInit = '1';
      var opts = { language: ru, infoCallback: info, pageLength: 25, order: [] };
      if (t.dataset.order) opts.order = JSON.parse(t.dataset.order);
      // A list paged and searched by the server («Карты» tabs): no empty rows of
      // DataTables' own controls around it.
      if (t.dataset.paging === 'false' && t.dataset.searching === 'false' && t.dataset.info === 'false') {
        opts.layout = { topStart: null, topEnd: null, bottomStart: null, bottomEnd: null };
      }
      // A live refresh redraws the table: keep what the user searched and where they were.
      var kept = t.id && savedState[t.id];
      if (kept) { opts.search = { search: kept.search }; opts.order = kept.order; opts.displayStart = kept.start; opts.pageLength = kept.length; }
      new DataTable(t, opts);
    });
  }
  window.KInitTables = initTables;

  // Lists in narrow room (kt-stack, see app.css) show each row as a card of
  // "label: value" lines; the label is the column's heading, put on every cell
  // that has none, also on rows drawn later (htmx, DataTables' server pages).
  function labelCells(root) {
    root.querySelectorAll('table').forEach(function (t) {
      var heads = [];
      t.querySelectorAll(':scope > thead > tr:first-child > th').forEach(function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) heads.push(th.textContent.trim());
      });
      t.querySelectorAll(':scope > tbody > tr').forEach(function (tr) {
        var i = 0;
        Array.prototype.forEach.call(tr.cells, function (td) {
          if (!td.hasAttribute('data-label') && heads[i] && td.colSpan === 1) td.setAttribute('data-label', heads[i]);
          i += td.colSpan || 1;
        });
      });
    });
  }
  function watchStacks(root) {
    (root || document).querySelectorAll('.kt-stack[data-stack-labels]').forEach(function (el) {
      labelCells(el);
      if (el.dataset.ktWatched) return;
      el.dataset.ktWatched = '1';
      new MutationObserver(function () { labelCells(el); }).observe(el, { childList: true, subtree: true });
    });
  }
  var savedState = {};
  document.addEventListener('htmx:beforeSwap', function (e) {
    e.detail.target.querySelectorAll && e.detail.target.querySelectorAll('table[data-datatable]').forEach(function (t) {
      if (!t.id || !DataTable.isDataTable(t)) return;
      var dt = new DataTable.Api(t), info = dt.page.info();
      savedState[t.id] = { search: dt.search(), order: dt.order(), start: info.start, length: info.length };
    });
  });

  // The live stream: each notice names what changed; regions listening for
  // "kt:live from:body" refetch themselves. Modals are outside those regions.
  var es = null;
  function connect() {
    if (!document.body.dataset.live || !window.EventSource) return;
    es = new EventSource('/events');
    es.onmessage = function (e) {
      var topics = (e.data || '').split(' ');
      window.KLiveSeen = (window.KLiveSeen || 0) + 1;
      topics.forEach(function (t) {
        if (!t) return;
        var name = 'kt:' + t.replace(':', '-');
        document.body.dispatchEvent(new CustomEvent(name, { detail: { topics: topics } }));
        if (t === 'all') ['kt:tracker', 'kt:cards'].forEach(function (n) { document.body.dispatchEvent(new CustomEvent(n)); });
      });
    };
    es.addEventListener('hello', function () { document.body.dataset.liveReady = '1'; });
  }
  window.addEventListener('beforeunload', function () { if (es) es.close(); });

  // The clock changes what a page shows, too: a deadline passes (overdue marks and
  // counts), a warming period ends («Выполнить с …» turns into «Выполнить»). A
  // region that knows its first such moment says so (data-changes-at, Unix ms, the
  // server's clock); a second after it every region refetches as after a notice.
  // A moment already fired (the browser's clock ahead of the server's) is tried
  // again every 30 seconds, not in a loop.
  var clockTimer = null, clockFired = 0;
  function armClock() {
    clearTimeout(clockTimer);
    var at = Infinity;
    document.querySelectorAll('[data-changes-at]').forEach(function (el) {
      var v = +el.getAttribute('data-changes-at');
      if (v > 0 && v < at) at = v;
    });
    if (at === Infinity) return;
    var wait = at <= clockFired ? 30000 : Math.max(at - Date.now(), 0) + 1000;
    if (wait > 86400000) return; // a day away: the next notice or visit re-arms it
    clockTimer = setTimeout(function () {
      clockFired = at;
      document.body.dispatchEvent(new CustomEvent('kt:all'));
    }, wait);
  }
  window.KArmClock = armClock;
  document.addEventListener('DOMContentLoaded', armClock);
  document.addEventListener('htmx:afterSettle', armClock);

  // Modal: buttons with data-modal-url load a form into the shared modal.
  function openModal(url) {
    var el = document.getElementById('kt-modal');
    var content = document.getElementById('kt-modal-content');
    content.innerHTML = '<div class="modal-body text-center py-5"><div class="spinner-border" role="status"></div></div>';
    bootstrap.Modal.getOrCreateInstance(el).show();
    htmx.ajax('GET', url, { target: '#kt-modal-content', swap: 'innerHTML' });
  }
  window.KOpenModal = openModal;
  document.addEventListener('click', function (e) {
    var b = e.target.closest('[data-modal-url]');
    if (b) { e.preventDefault(); openModal(b.getAttribute('data-modal-url')); }
    var c = e.target.closest('[data-confirm]');
    if (c && !window.confirm(c.getAttribute('data-confirm'))) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  document.addEventListener('htmx:afterSwap', function (e) { initTables(e.detail.target); });
  // Let 422 and 409 answers render inside the modal so messages show next to fields.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var s = e.detail.xhr.status;
    if (s === 422 || s === 409) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  // Completing stage 6 with a transaction typed but not added would lose it: ask first.
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = e.detail.elt;
    if (!elt || elt.id !== 'stage-form') return;
    var pending = document.querySelector('#kt-modal .kt-tx-new input[data-tx-amount]');
    if (pending && pending.value.trim() !== '') {
      e.preventDefault();
      var note = document.getElementById('tx-unsaved');
      if (note) { note.hidden = false; note.scrollIntoView({ block: 'nearest' }); }
      pending.focus();
    }
  });

  // The «…сумма, но она не добавлена» warning goes once it is no longer true:
  // the row was added (the editor comes back with an empty row) or cleared.
  function syncUnsaved() {
    var note = document.getElementById('tx-unsaved');
    if (!note || note.hidden) return;
    var pending = document.querySelector('#kt-modal .kt-tx-new input[data-tx-amount]');
    if (!pending || pending.value.trim() === '') note.hidden = true;
  }
  document.addEventListener('input', syncUnsaved);
  document.addEventListener('htmx:afterSettle', syncUnsaved);

  // A live refresh must not throw away what someone is typing: regions holding a
  // transactions row being typed wait until it is saved or cleared.
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = e.detail.elt;
    if (!elt || e.detail.requestConfig.verb !== 'get') return;
    var typing = Array.prototype.some.call(elt.querySelectorAll('.kt-tx-new input[data-tx-amount]'), function (i) { return i.value.trim() !== ''; });
    if (typing) e.preventDefault();
  });

  // The stage page (the form opened as an address, an ordinary POST): the same
  // «typed but not added» check as the modal's, before the form leaves.
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (!f || f.id !== 'stage-form' || f.hasAttribute('hx-post')) return;
    var pending = document.querySelector('.kt-tx-new input[data-tx-amount]');
    if (pending && pending.value.trim() !== '') {
      e.preventDefault();
      var note = document.getElementById('tx-unsaved');
      if (note) { note.hidden = false; note.scrollIntoView({ block: 'nearest' }); }
      pending.focus();
    }
  }, true);
  // A form marked data-once is sent once: a double click does not send it twice.
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute('data-once') || e.defaultPrevented) return;
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = '1';
  });
  // Back to a page kept by the browser (bfcache): its forms may be sent again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-sent]').forEach(function (f) { delete f.dataset.sent; });
  });

  // «Только мои» on the tracker.
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.id === 'only-mine') window.location = t.checked ? t.dataset.hrefOn : t.dataset.hrefOff;
    if (t.dataset && t.dataset.navSelect !== undefined && t.value) window.location = t.value; // the stage select on phones
    if (t.dataset && t.dataset.checkAll) {
      document.querySelectorAll('[data-check="' + t.dataset.checkAll + '"]').forEach(function (c) { c.checked = t.checked; });
    }
  });

  document.addEventListener('DOMContentLoaded', function () { initTables(); initArchive(); initCardForm(); watchStacks(); connect(); });
  document.addEventListener('htmx:afterSettle', function () { watchStacks(); });

  // The archive tab: server-side paging, sorting and the seven filters.
  function initArchive() {
    var t = document.getElementById('archive-table');
    if (!t) return;
    var form = document.getElementById('archive-filters');
    var capped = false;
    var dt = new DataTable(t, {
      serverSide: true, processing: true, searching: false, pageLength: 25, order: [[0, 'desc']],
      columnDefs: [{ targets: '_all', orderable: false }, { targets: 0, orderable: true }],
      language: ru,
      ajax: function (data, callback) {
        var p = new URLSearchParams(new FormData(form));
        p.set('draw', data.draw); p.set('start', data.start); p.set('length', data.length);
        p.set('order[0][dir]', data.order && data.order[0] ? data.order[0].dir : 'desc');
        t.dataset.order = p.get('order[0][dir]');
        fetch('/cards/archive?' + p.toString(), { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (json) {
          // A text under three characters or a filter too broad to read: the reason, no rows.
          var msg = document.getElementById('archive-message');
          if (msg) { msg.textContent = json.message || ''; msg.classList.toggle('d-none', !json.message); }
          capped = !!json.capped;
          callback(json);
        });
      },
      // Counting stops at 10 000 matches: past it the count reads «более 10 000».
      infoCallback: function (settings, start, end, max, total) {
        return capped ? 'Показаны ' + num(start) + '–' + num(end) + ' из более чем 10\u00a0000' : info(settings, start, end, max, total);
      },
      // DataTables writes cells with innerHTML: every name is set as text, never as markup.
      columns: [
        { data: 0, render: function (d) { return '<a href="/cards/' + encodeURIComponent(d) + '">№ ' + DataTable.util.escapeHtml(String(d)) + '</a>'; } }
      ].concat([1, 2, 3, 4, 5, 6, 7, 8, 9].map(function (i) { return { data: i, render: DataTable.render.text() }; })).concat([
        // «Задачи», as on the other tabs: built here from the card's number, never from server HTML.
        { data: 0, className: 'text-end text-nowrap kt-actions', render: function (d) {
          var id = String(d);
          return /^[0-9]+$/.test(id) ? '<a class="btn btn-sm btn-outline-secondary" href="/tasks?tab=auto&amp;card=' + id + '">Задачи</a>' : '';
        } }
      ])
    });
    var timer;
    form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { dt.draw(); }, 300); });
    form.addEventListener('submit', function (e) { e.preventDefault(); dt.draw(); });
  }

  // «Экспорт»: a list filtered in the browser (the archive) exports what its
  // filter form and sort order show at the moment of the click.
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-export-form]') : null;
    var form = a && document.getElementById(a.dataset.exportForm);
    if (!form) return;
    var u = new URL(a.getAttribute('href'), window.location.href);
    var p = new URLSearchParams(new FormData(form));
    p.set('format', a.dataset.export);
    p.set('tab', u.searchParams.get('tab') || '');
    var t = document.getElementById('archive-table');
    if (t && t.dataset.order) p.set('order[0][dir]', t.dataset.order);
    a.setAttribute('href', u.pathname + '?' + p.toString());
  });

  // Card form: the supplier's default commission fills an untouched rate field.
  function initCardForm() {
    var sel = document.querySelector('#card-form select[name=supplier_id]');
    var rates = document.getElementById('supplier-rates');
    if (!sel || !rates) return;
    var map = {};
    try { map = JSON.parse(rates.textContent) || {}; } catch (e) { map = {}; }
    var rate = document.querySelector('#card-form input[name=commission_rate]');
    var touched = false;
    rate.addEventListener('input', function () { touched = true; });
    sel.addEventListener('change', function () {
      if (!touched && map[sel.value] !== undefined) rate.value = map[sel.value];
    });
  }

  // Stage 8: fields shown only for one answer.
  function applyOnlyIf(root) {
    (root || document).querySelectorAll('[data-show-if]').forEach(function (el) {
      var parts = el.dataset.showIf.split('=');
      var form = el.closest('form');
      var src = form && form.querySelector('[name="' + parts[0] + '"]');
      el.hidden = !src || src.value !== parts[1];
    });
  }
  document.addEventListener('change', function (e) {
    if (!e.target.closest('#stage-form')) return;
    applyOnlyIf();
    // Stage 8: a negative decision confirms nothing (0); a positive one brings back the prefilled profit.
    if (e.target.name === 'decision') {
      var amt = e.target.form.querySelector('[name=confirmed_amount]');
      if (!amt) return;
      if (e.target.value === 'negative') amt.value = '0';
      else if (e.target.value === 'positive' && amt.dataset.prefill) {
        var typed = KMoney.parseKopecks(amt.value);
        if (!typed.ok || typed.value === 0n) amt.value = amt.dataset.prefill;
      }
      amt.classList.remove('is-invalid');
    }
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    applyOnlyIf(); recalcAll();
    // Rows added since the "add at least one transaction" message: hide it.
    if (document.querySelector('#kt-modal .kt-tx-row')) {
      document.querySelectorAll('#kt-modal [data-error-for=transactions]').forEach(function (el) { el.hidden = true; });
    }
    if (e.detail.target.id === 'kt-modal-content') {
      // The transactions editor needs room: the stage-6 modal is wide.
      var wide = !!e.detail.target.querySelector('.kt-tx');
      document.querySelector('#kt-modal .modal-dialog').classList.toggle('modal-xl', wide);
    }
  });

  // Transactions editor: totals recomputed as rows are typed, added and removed,
  // with KMoney (the same rules as app/money on the server).
  function recalc(ed) {
    var lines = [];
    ed.querySelectorAll('.kt-tx-row').forEach(function (r) {
      lines.push({ amount: BigInt(r.dataset.amount), rate: BigInt(r.dataset.rate) });
    });
    var a = ed.querySelector('[data-tx-amount]'), rt = ed.querySelector('[data-tx-rate]');
    var pending = false;
    if (a && rt) {
      var pa = KMoney.parseKopecks(a.value), pr = KMoney.parseRate(rt.value);
      var fbA = a.parentNode.querySelector('.invalid-feedback');
      if (a.value.trim() !== '' && !pa.ok) { a.classList.add('is-invalid'); if (fbA) fbA.textContent = pa.error; }
      else if (a.value.trim() !== '' && pa.value <= 0n) { a.classList.add('is-invalid'); if (fbA) fbA.textContent = 'Сумма должна быть больше нуля'; }
      else if (a.dataset.live) { a.classList.remove('is-invalid'); }
      a.dataset.live = '1';
      var cPrev = ed.querySelector('[data-tx-preview=commission]'), nPrev = ed.querySelector('[data-tx-preview=net]');
      if (pa.ok && pa.value > 0n && pr.ok) {
        pending = true;
        var c = KMoney.commission(pa.value, pr.value);
        lines.push({ amount: pa.value, rate: pr.value });
        if (cPrev) cPrev.textContent = KMoney.format(c);
        if (nPrev) nPrev.textContent = KMoney.format(pa.value - c);
      } else { if (cPrev) cPrev.textContent = ''; if (nPrev) nPrev.textContent = ''; }
    }
    var t = KMoney.sum(lines);
    ed.querySelector('[data-total=amount]').textContent = KMoney.format(t.amount);
    ed.querySelector('[data-total=commission]').textContent = KMoney.format(t.commission);
    ed.querySelector('[data-total=net]').textContent = KMoney.format(t.net);
    var note = ed.querySelector('[data-tx-pending]');
    if (note) note.hidden = !pending;
    return t;
  }
  function recalcAll() { document.querySelectorAll('.kt-tx').forEach(recalc); }
  window.KRecalc = recalcAll;
  document.addEventListener('input', function (e) {
    var ed = e.target.closest('.kt-tx');
    if (ed) recalc(ed);
  });
  // Enter in the new row adds it.
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.closest('.kt-tx-new')) {
      e.preventDefault();
      var b = e.target.closest('.kt-tx').querySelector('[data-tx-add]');
      if (b) b.click();
    }
  });
})();

// A task page: a status button reloads the page; a comment being typed is kept
// across that reload (the live refresh never touches the comment form).
(function () {
  'use strict';
  var key = 'kt-comment:' + location.pathname;
  document.addEventListener('submit', function (e) {
    var box = document.querySelector('#comment-form textarea[name=body]');
    if (!box) return;
    if (e.target.id === 'comment-form') { sessionStorage.removeItem(key); return; }
    if (e.target.closest('#task-buttons') && box.value.trim() !== '') sessionStorage.setItem(key, box.value);
  });
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.querySelector('#comment-form textarea[name=body]');
    var kept = sessionStorage.getItem(key);
    if (box && kept && box.value === '') box.value = kept;
    sessionStorage.removeItem(key);
  });
})();
