// Tells the LMS that Dynamic Registration is finished, so it closes the
// registration window or dialog.
(function () {
  "use strict";
  var button = document.getElementById("lti-close");
  function close() {
    var target = window.opener || window.parent;
    if (target && target !== window) {
      target.postMessage({ subject: button.dataset.subject }, "*");
    }
  }
  button.addEventListener("click", close);
  close();
})();
