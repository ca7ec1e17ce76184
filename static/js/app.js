// Kartoteka page glue: DataTables on list tables, the live stream, modals.
(function () {
  'use strict';
  var ru = '/static/vendor/datatables.net-plugins/ru.json';

  // DataTables for tables marked data-datatable (small lists searched in the browser).
  function initTables(root) {
    (root || document).querySelectorAll('table[data-datatable]').forEach(function (t) {
      if (t.dataset.dtInit) return;
      t.dataset.dtInit = '1';
      var opts = { language: { url: ru }, pageLength: 25, order: [] };
      if (t.dataset.order) opts.order = JSON.parse(t.dataset.order);
      new DataTable(t, opts);
    });
  }
  window.KInitTables = initTables;

  // The live stream: each notice names what changed; regions listening for
  // "kt:live from:body" refetch themselves. Modals are outside those regions.
  var es = null;
  function connect() {
    if (!document.body.dataset.live || !window.EventSource) return;
    es = new EventSource('/events');
    es.onmessage = function (e) {
      var topics = (e.data || '').split(' ');
      document.body.dispatchEvent(new CustomEvent('kt:live', { detail: { topics: topics } }));
    };
    es.addEventListener('hello', function () { document.body.dataset.liveReady = '1'; });
  }
  window.addEventListener('beforeunload', function () { if (es) es.close(); });

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
  // A server answer may ask to close the modal (after a successful save).
  document.body && document.body.addEventListener('kt:close-modal', function () {});
  document.addEventListener('htmx:afterSwap', function (e) { initTables(e.detail.target); });
  // Let 422 and 409 answers render inside the modal so messages show next to fields.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var s = e.detail.xhr.status;
    if (s === 422 || s === 409) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.addEventListener('kt-close-modal', function () {
    var el = document.getElementById('kt-modal');
    var m = bootstrap.Modal.getInstance(el);
    if (m) m.hide();
  });

  document.addEventListener('DOMContentLoaded', function () { initTables(); connect(); });
})();
