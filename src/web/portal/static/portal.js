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
  // "Imprimer": the browser's print dialog (the print stylesheet opens every section).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
});
