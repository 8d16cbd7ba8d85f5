// Keys 1–9 press the matching answer button of the guided-flow runner, unless the tech is typing.
(function () {
  "use strict";
  if (window.rfFlowKeys) return;
  window.rfFlowKeys = true;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !/^[1-9]$/.test(event.key)) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var button = document.querySelector('#flow-runner [data-flow-key="' + event.key + '"]');
    if (!button) return;
    event.preventDefault();
    button.focus();
    button.click();
  });
})();
