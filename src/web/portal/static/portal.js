// The portal's only script (served from /portal/static, as the Content-Security-Policy requires).
// Every page works without it; it only adds conveniences.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // "Consulter la synthèse médicale" stays disabled until every required box is ticked.
  document.querySelectorAll('form[data-requires-all]').forEach(function (form) {
    var boxes = form.querySelectorAll('input[type=checkbox][required]');
    var submit = form.querySelector('button[type=submit]');
    if (!submit) return;
    var update = function () {
      submit.disabled = !Array.prototype.every.call(boxes, function (b) { return b.checked; });
    };
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    update();
  });
  // "Imprimer": the browser's print dialog.
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
  // A printed summary shows every original text (a closed <details> prints only its summary line).
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = Array.prototype.filter.call(document.querySelectorAll('details:not([open])'), function (d) { return !d.closest('.no-print'); });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
});
